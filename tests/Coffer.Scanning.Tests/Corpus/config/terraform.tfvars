region          = "eu-west-1"
instance_type   = "t3.medium"
cloudflare_api_token = "§LgeaYvdilVzkS5tu1bK_9s6SfNfzjhcrwnGJo4wE"
db_password     = var.db_password
tfe_token       = "§f6l44jAJOcGtWX.atlasv1.4bqrsiC67ZIb6NABAqjG1QCYqYiIJs0xP533qJs2cXWrSDbnJu1O6mjakeLvfjojTfS"
