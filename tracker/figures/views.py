"""The quarter's figures served whole, for scripts and the coming API."""
from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from tracker.auth import policy
from tracker.figures import services
from tracker.quarters.services import get_quarter_or_404

bp = Blueprint("figures", __name__)


@bp.route("/quarters/<key>/figures.json")
def figures_json(key):
    """Return the quarter's figures at ?as_of= (open quarters; else today) as JSON."""
    quarter = get_quarter_or_404(key)
    if not policy.can_read_figures(current_user, quarter):
        abort(403)
    try:
        as_of = services.parse_as_of(request.args.get("as_of"))
    except services.BadDate:
        response = jsonify(error=services.bad_date_message())
        response.status_code = 400
        return response
    response = jsonify(services.figures_document(quarter, as_of))
    response.headers["Cache-Control"] = "no-store"
    return response
