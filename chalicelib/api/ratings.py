"""One-click ratings from the reply mail: public, the signature in the link is the credential."""
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import schemas, shapes
from chalicelib.api.contract import UNSET
from chalicelib.api.http import route
from chalicelib.services import ratings

ratings_api = Blueprint(__name__)


@route(ratings_api, "/ratings", method="POST", request=schemas.Rate, refusals=(404, 409), response=shapes.RatingState,
       summary="Rate an agent's reply (good or bad, optional comment) with the signature from its mail or page")
def rate(body: schemas.Rate):
    current = ratings.rate(bootstrap.ticket_desk(), number=body.ticket, message_id=body.message,
                           signature=body.signature, rating=body.rating,
                           comment=body.comment if body.comment is not UNSET else None)
    return shapes.RatingState(rating=current.rating.value, comment=current.comment)
