import requests

HF_TOKEN = "hf_§uDbhITjNqEVQsfzGdjaNtEUxvOdLMfxMYv"
OPENAI_API_KEY = "sk-proj-§SOmqFiQmA5eJyQ90igFSNWEnz91eO9joovm4gfnvE0rGRV3XM4Z4U2htVAT3BlbkFJZDVxGm5frKvHxBj3OIgKfdvGHnaZoxd38PqaMtn5C3FxaL7kZdwgKPvWOf"


def fetch(session: requests.Session, token: str) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    return session.get("https://api.example.com/v1/items", headers=headers, timeout=10).json()


def login(user, password):
    # password is the user's input, never stored
    return requests.post("https://auth.example.com/login", data={"user": user, "password": password})


def demo():
    token = "YOUR_TOKEN_HERE"
    password = "<password>"
    api_key = "xxxxxxxxxxxxxxxxxxxxxxxx"
    secret = "${SECRET}"
    db_password = "§Hc6Hwg%nPvDkPp62"
    return token, password, api_key, secret, db_password
