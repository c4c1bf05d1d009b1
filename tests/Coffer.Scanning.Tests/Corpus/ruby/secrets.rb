Rails.application.configure do
  config.x.shopify_token = "shpat_§e236ce2fa0777b56e8d1883163f1496a"
  config.x.github_client_secret = ENV.fetch("GITHUB_CLIENT_SECRET")
  config.x.gitlab_token = "glpat-§kiWg7M2lhBVgkx42PaUR"
  config.x.secret_key_base = "§4a8c37e492496f627df4beed99d98d5b6f05870f6aa865f0efd562b7d951180bc30c772287879e43837406ced0113b7d16a34fa42c5a420a415115676c90ae5d"
  config.x.placeholder_secret = "your-secret-here"
end
