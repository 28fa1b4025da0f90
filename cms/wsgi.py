"""The WSGI application app servers run (`gunicorn cms.wsgi`).

Production settings unless DJANGO_SETTINGS_MODULE says otherwise: an app server started
without it must stop, naming what is missing, rather than run on development settings
(manage.py, which developers run, defaults to those).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

application = get_wsgi_application()
