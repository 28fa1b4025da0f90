"""What the tests share, imported as `tests.support.<module>`: factories for content
(factories, content), the editor's steps in the admin and the Chromium that takes them
(admin, chromium), the stand-in front end and the webhooks that reach it (front_end,
webhook_receiving), and the app in other processes and beside other servers
(app_process and its probe, app_server, s3_server, varnish, media_urls)."""
