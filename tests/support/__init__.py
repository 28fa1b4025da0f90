"""What the tests share: factories for content, an app process under production
settings, the stand-in front end and the webhook settings that reach it."""
