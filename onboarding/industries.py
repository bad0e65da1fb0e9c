"""Sales process templates per industry: stages, probabilities and entry criteria.

A template is a starting point the admin edits before saving; each stage carries a short
"what must be true to enter it", so the process is written down and shows on the board.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.models import StageKind
from onboarding.models import Industry


@dataclass(frozen=True)
class StageTemplate:
    name: Promise
    probability: int
    guidance: Promise
    kind: str = StageKind.OPEN
    colour: str = "blue"


@dataclass(frozen=True)
class PipelineTemplate:
    name: Promise
    stages: tuple[StageTemplate, ...]


def _won(guidance: Promise) -> StageTemplate:
    return StageTemplate(_("Won"), 100, guidance, StageKind.WON, "green")


LOST = StageTemplate(
    _("Lost"), 0, _("The customer said no, or stopped answering."), StageKind.LOST, "red"
)

TEMPLATES: dict[str, PipelineTemplate] = {
    Industry.B2B_SERVICES: PipelineTemplate(
        _("Sales"),
        (
            StageTemplate(
                _("Qualified"),
                10,
                _("They have a need we can meet, a budget and someone who decides."),
                colour="azure",
            ),
            StageTemplate(
                _("Needs analysis"),
                25,
                _("We met the decision maker and wrote down what they need."),
                colour="cyan",
            ),
            StageTemplate(
                _("Proposal"),
                50,
                _("They received a written proposal with scope and price."),
                colour="indigo",
            ),
            StageTemplate(
                _("Negotiation"),
                75,
                _("They accepted the proposal in principle; terms are being agreed."),
                colour="purple",
            ),
            _won(_("The contract is signed.")),
            LOST,
        ),
    ),
    Industry.WHOLESALE: PipelineTemplate(
        _("Orders"),
        (
            StageTemplate(
                _("Inquiry"),
                10,
                _("A buyer asked about products, quantities or prices."),
                colour="azure",
            ),
            StageTemplate(
                _("Quotation sent"),
                30,
                _("They have our price list or quotation for the quantities they named."),
                colour="cyan",
            ),
            StageTemplate(
                _("Samples or trial order"),
                50,
                _("They received samples or placed a first small order."),
                colour="indigo",
            ),
            StageTemplate(
                _("Terms agreed"),
                80,
                _("Prices, payment terms and delivery are agreed."),
                colour="purple",
            ),
            _won(_("The order is confirmed.")),
            LOST,
        ),
    ),
    Industry.RETAIL: PipelineTemplate(
        _("Sales"),
        (
            StageTemplate(
                _("Interested"),
                10,
                _("The customer asked about a product or left their details."),
                colour="azure",
            ),
            StageTemplate(
                _("Visit or consultation"),
                40,
                _("They came to the shop or we advised them in person or by phone."),
                colour="cyan",
            ),
            StageTemplate(
                _("Offer made"),
                60,
                _("They have a price, with any discount or delivery date."),
                colour="indigo",
            ),
            _won(_("They bought.")),
            LOST,
        ),
    ),
    Industry.EDUCATION: PipelineTemplate(
        _("Enrolments"),
        (
            StageTemplate(
                _("Inquiry"),
                10,
                _("Someone asked about a course, for themselves or their staff."),
                colour="azure",
            ),
            StageTemplate(
                _("Consultation"),
                30,
                _("We talked about their goals, level and schedule."),
                colour="cyan",
            ),
            StageTemplate(
                _("Trial lesson"),
                50,
                _("They attended a trial lesson or an information session."),
                colour="indigo",
            ),
            StageTemplate(
                _("Offer sent"),
                70,
                _("They received the course, dates and price in writing."),
                colour="purple",
            ),
            _won(_("They enrolled and paid.")),
            LOST,
        ),
    ),
    Industry.TRAVEL: PipelineTemplate(
        _("Bookings"),
        (
            StageTemplate(
                _("Inquiry"),
                10,
                _("We know where, when and how many people want to travel."),
                colour="azure",
            ),
            StageTemplate(
                _("Itinerary proposed"),
                40,
                _("They received an itinerary with prices."),
                colour="cyan",
            ),
            StageTemplate(
                _("Deposit requested"),
                70,
                _("They accepted the itinerary; the deposit invoice is sent."),
                colour="indigo",
            ),
            _won(_("The deposit is paid and the trip is booked.")),
            LOST,
        ),
    ),
    Industry.SOFTWARE: PipelineTemplate(
        _("Sales"),
        (
            StageTemplate(
                _("Qualified"),
                10,
                _("They have the problem we solve, a budget and a timeline."),
                colour="azure",
            ),
            StageTemplate(
                _("Demo"),
                25,
                _("We showed the product to the people who will use it."),
                colour="cyan",
            ),
            StageTemplate(
                pgettext_lazy("sales stage", "Trial"),
                40,
                _("They are trying the product with their own data."),
                colour="teal",
            ),
            StageTemplate(
                _("Proposal"),
                60,
                _("They received the plan, the number of users and the price."),
                colour="indigo",
            ),
            StageTemplate(
                _("Negotiation"),
                80,
                _("The decision maker agreed; the contract is being reviewed."),
                colour="purple",
            ),
            _won(_("The contract is signed.")),
            LOST,
        ),
    ),
    Industry.MANUFACTURING: PipelineTemplate(
        _("Projects"),
        (
            StageTemplate(
                _("Request for quotation"),
                10,
                _("We have their drawings or specification and the quantities."),
                colour="azure",
            ),
            StageTemplate(
                _("Technical review"),
                25,
                _("Engineering confirmed we can make it, and how."),
                colour="cyan",
            ),
            StageTemplate(
                _("Quotation sent"),
                45,
                _("They received price, lead time and terms."),
                colour="indigo",
            ),
            StageTemplate(
                _("Sample approval"),
                65,
                _("Samples or a first article were sent for their approval."),
                colour="teal",
            ),
            StageTemplate(
                _("Negotiation"),
                80,
                _("Samples are approved; price and schedule are being agreed."),
                colour="purple",
            ),
            _won(_("The purchase order is received.")),
            LOST,
        ),
    ),
    Industry.OTHER: PipelineTemplate(
        _("Sales"),
        (
            StageTemplate(
                _("Qualified"),
                10,
                _("They have a need we can meet and can decide to buy."),
                colour="azure",
            ),
            StageTemplate(
                _("Contact made"),
                25,
                _("We talked to the person who decides."),
                colour="cyan",
            ),
            StageTemplate(
                _("Proposal"),
                50,
                _("They received our offer in writing."),
                colour="indigo",
            ),
            StageTemplate(
                _("Negotiation"),
                75,
                _("They want to buy; the terms are being agreed."),
                colour="purple",
            ),
            _won(_("They said yes.")),
            LOST,
        ),
    ),
}


def pipeline_template(industry: str) -> PipelineTemplate:
    """The template of ``industry``, or the general one."""
    return TEMPLATES.get(industry) or TEMPLATES[Industry.OTHER]
