"""The JSON API (/api/v1/): the pages' services, with personal access tokens.

flask-smorest declares each schema once and uses it to validate requests, serialise
responses and write the OpenAPI document (/api/v1/openapi.json, read at /api/docs).
The API adds no rule of its own: it loads and changes records through the services
and asks tracker.auth.policy, as the pages do, in the token user's home board.
"""
from flask import current_app
from flask_smorest import Api

SPEC_OPTIONS = {
    "info": {"description": "Quarterly tasks, their history and figures. Sign in "
                            "with a personal access token from the account page."},
    "components": {"securitySchemes": {"bearer": {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token from the account page.",
    }}},
    "security": [{"bearer": []}],
}


class TrackerApi(Api):
    """flask-smorest's Api, its errors documented and answered as problem details.

    The pages keep their HTML error pages (smorest's application-wide JSON error
    handler is left out); the API's blueprint answers its own errors
    (tracker.api.errors), and the document describes them as they are.
    """

    def _register_error_handlers(self):
        """Leave the application's error handlers alone."""

    def _register_responses(self):
        """Document every error status as problem details."""
        import http

        from flask_smorest.utils import prepare_response

        from tracker.api.errors import MEDIA_TYPE
        from tracker.api.schemas import ProblemSchema

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = ProblemSchema
            prepare_response(response, self.spec, MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as problem details",
                    "schema": ProblemSchema}
        prepare_response(response, self.spec, MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def init_app(app):
    """Build the OpenAPI document and mount the API's one blueprint."""
    from tracker.api import auth
    from tracker.api import (  # noqa: F401  (their routes)
        briefing, comments, congresses, initiatives, notifications, petitions,
    )
    from tracker.api.views import bp

    app.config.setdefault("API_TITLE", "Tracker API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    # The document and the docs page are served by the blueprint itself (one
    # blueprint, assets from an installed package): no doc blueprint of smorest's.
    app.config["OPENAPI_URL_PREFIX"] = None
    app.config.setdefault("API_SPEC_OPTIONS", SPEC_OPTIONS)
    api = TrackerApi(app)
    api.register_blueprint(bp)
    app.extensions["tracker_api"] = api
    auth.init_app(app)
    from tracker.api.cli import token_group

    app.cli.add_command(token_group)


def spec_document():
    """Return the application's OpenAPI document as a dict."""
    return current_app.extensions["tracker_api"].spec.to_dict()
