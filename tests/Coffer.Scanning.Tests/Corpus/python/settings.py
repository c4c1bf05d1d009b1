"""Django settings for the billing service."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Loaded from the environment in production; the literal below leaked from a laptop.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-change-me")
DEBUG = os.environ.get("DEBUG", "false") == "true"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "billing",
        "USER": "billing",
        "PASSWORD": os.environ["DB_PASSWORD"],
        "HOST": "db.internal",
    }
}

STRIPE_SECRET_KEY = "sk_live_§26auCJp8cHzlQEWht8NC1Wd3"
STRIPE_PUBLISHABLE_KEY = "pk_live_N52OWt3O2VcbNs6UPKlNfprB"
STRIPE_WEBHOOK_SECRET = os.getenv("STRIPE_WEBHOOK_SECRET")
SENDGRID_API_KEY = "SG.§PEVVIPcP4Y7p4tD14z4gzM.-jppZxO4z7KdcwjOoGUI01iEFT059hgovC9JPna2EFy"
AWS_ACCESS_KEY_ID = "AKIA§DUDCBA67GCCTMRWX"
AWS_SECRET_ACCESS_KEY = "§Qmey7WuAP1X18+16OapVpdSgY4v1uXHSwFr/GOhZ"
EXAMPLE_AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
CELERY_BROKER_URL = "redis://:§LpF0CVYy71uCPLYV9nub@redis.internal:6379/0"
CACHE_URL = "redis://localhost:6379/1"
SESSION_COOKIE_NAME = "billing_session"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]
TOKEN_TTL_SECONDS = 3600
api_key = os.environ.get("API_KEY", "")
