"""schemathesis runs the whole OpenAPI document against the app: every operation, a
hundred examples each, checked for server errors, documented status codes and
content types, and responses that match their schemas."""
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]



def _document():
    """Return the OpenAPI document as the application serves it.

    Built by an application of its own at collection time (the document needs no
    database); the requests go to the tests' application.
    """
    from tracker import create_app
    from tracker.api import spec_document

    app = create_app({"TESTING": True, "SECRET_KEY": "document",
                      "DATABASE_URL": "sqlite://"})
    with app.app_context():
        return spec_document()


schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(max_examples=100, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(app, case, contract_world):
    """Every operation answers as its document says, whatever it is sent."""
    response = case.call(app=app,
                         headers={"Authorization": f"Bearer {contract_world}"})
    case.validate_response(response, checks=CHECKS)


def test_the_links_lead_where_they_say(app, contract_world):
    """schemathesis's stateful phase: follow the documented links between operations.

    A created task leads to reading, editing and reporting on it with the ETag its
    answer carried (If-Match); a recorded petition to its steps; a registered
    "Dân vận khéo" model to its edit and steps; the newest quarter to its briefing
    meeting, and the meeting to its change. Every answer on the way is checked as
    in the test above.
    """
    headers = {"Authorization": f"Bearer {contract_world}"}

    # The operations the links join (and the lists that name units and quarters), so
    # that the scenarios start where the links begin.
    linked = schema.include(operation_id=[
        "listUnits", "listQuarters", "createTask", "getTask", "updateTask",
        "reportProgress", "getTaskHistory", "createPetition", "getPetition",
        "forwardPetition", "answerPetition", "closePetition", "createInitiative",
        "getInitiative", "updateInitiative", "stepInitiative", "getComment",
        "editComment", "getBriefing", "updateBriefing"])

    class Workflow(linked.as_state_machine()):
        def call(self, case, **kwargs):
            """Call the tests' application with the leader's token."""
            return case.call(app=app, headers=headers)

        def validate_response(self, response, case, additional_checks=None,
                              **kwargs):
            """Check each answer as the stateless test does."""
            case.validate_response(response, checks=CHECKS)

    Workflow.run(settings=settings(max_examples=30, stateful_step_count=6,
                                   deadline=None,
                                   suppress_health_check=list(HealthCheck)))
