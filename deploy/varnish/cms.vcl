# Varnish in front of the CMS (nginx or an app server): keeps anonymous GET answers for
# as long as their Cache-Control's s-maxage says (a day when purged by key), and drops
# exactly those whose surrogate keys a change purges. Needs varnish-modules' xkey.
# The backend is filled in by deploy/varnish.py (@BACKEND_HOST@, @BACKEND_PORT@).
vcl 4.1;

import xkey;

backend default {
    .host = "@BACKEND_HOST@";
    .port = "@BACKEND_PORT@";
}

# Who may purge: the CMS's app servers and task workers (core/cdn.py).
acl purgers {
    "127.0.0.1";
    "::1";
@PURGERS@
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Not allowed to purge."));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the surrogate keys to purge in xkey-purge."));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects."));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Signed-in editors and the admin are never served from the cache.
    if (req.url ~ "^/(admin|django-admin)/" || req.http.Authorization
            || req.http.Cookie ~ "sessionid=") {
        return (pass);
    }
    # Nothing else in a cookie changes an anonymous answer.
    unset req.http.Cookie;
    if (req.url ~ "^/graphql/") {
        call cms_graphql_accept;
    }
    return (hash);
}

# GraphQL answers in application/graphql-response+json or application/json, whichever
# the request's Accept prefers (api/graphql/media_types.py), and says Vary: Accept, so
# each Accept header sent is cached apart. Those whose choice is plain (none, */*, or
# either type listed first with no quality) become the type chosen, so that every
# client's and browser's spelling of them shares one of two cached answers; any other is
# passed on, and cached, as sent.
sub cms_graphql_accept {
    if (!req.http.Accept || req.http.Accept ~ "^\s*(\*/\*\s*)?$"
            || req.http.Accept ~ "(?i)^\s*application/json\s*(;\s*charset=[^,;]*)?(,|$)") {
        set req.http.Accept = "application/json";
    } elsif (req.http.Accept
            ~ "(?i)^\s*application/graphql-response\+json\s*(;\s*charset=[^,;]*)?(,|$)") {
        set req.http.Accept = "application/graphql-response+json";
    }
}

sub vcl_hash {
    # A front-end server's answers are cached apart, so a wrong key reaches the CMS
    # (and its 401) rather than a browser's cached answer.
    if (req.http.X-Frontend-Key) {
        hash_data(req.http.X-Frontend-Key);
    }
}

sub vcl_backend_response {
    # What does not say how long it may be kept is not kept (not for Varnish's default
    # two minutes): the CMS says so of everything a cache may keep.
    if (!beresp.http.Cache-Control && !beresp.http.Expires) {
        set beresp.uncacheable = true;
        return (deliver);
    }
}

sub vcl_deliver {
    # The keys are for this cache, not for browsers.
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
        # The stored answer carries the id of the request that made it: this one is new.
        if (req.http.X-Request-ID) {
            set resp.http.X-Request-ID = req.http.X-Request-ID;
        } else {
            set resp.http.X-Request-ID = "varnish-" + req.xid;
        }
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
