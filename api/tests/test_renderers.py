import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy
from ninja.responses import NinjaJSONEncoder

from api.renderers import renderer


def test_orjson_writes_the_values_the_standard_encoder_wrote():
    data = {
        "utc": datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=UTC),
        "warsaw": datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Warsaw")),
        "day": date(2026, 3, 1),
        "time": time(9, 30, 0, 500000),
        "amount": Decimal("120.50"),
        "lazy": gettext_lazy("Polish"),
        "text": "Zażółć gęślą jaźń",
        "nested": [{"id": 2**62, "none": None, "yes": True}],
    }
    rendered = renderer.render(None, data, response_status=200)
    assert json.loads(rendered) == json.loads(json.dumps(data, cls=NinjaJSONEncoder))
    assert json.loads(rendered)["utc"] == "2026-03-01T09:00:00.123Z"
    assert "Zażółć".encode() in rendered
