"""The reference deployment: nginx in front of gunicorn app servers (nginx/, nginx.py,
gunicorn.conf.py), the processes of the top-level Procfile, and `make production`
(local.py). tests/production/ runs all of it end to end."""
