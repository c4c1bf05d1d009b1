#!/usr/bin/env bash
set -euo pipefail
export VAULT_ADDR=https://vault.internal:8200
export VAULT_TOKEN="hvs.§aiGVNBBxW1GdUa0PWKZthtEl"
export DOCKER_PASSWORD="${DOCKER_PASSWORD:?set it}"
curl -fsS -H "Authorization: Bearer $TOKEN" https://deploy.internal/api/release
curl -u admin:§RGMq7A%W90LXeA82 https://nexus.internal/service/rest/v1/status
echo "password=$PASSWORD" > /dev/null
