"""One size of the customer benchmark (run by bench/customers.py); prints JSON."""

from __future__ import annotations

import json
import os
import sys

import django

from bench.db import timed

RUNS = 20


def _ok(response) -> None:
    assert response.status_code == 200, response.status_code


def _sign_in_with_second_factor(client, user) -> None:
    """The DPO's role needs the second step: a TOTP device, the session marked
    as verified by it (what django_otp.login writes)."""
    from django.conf import settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import services

    services.totp_device_ensure_demo(user=user, secret="JBSWY3DPEHPK3PXP" * 2)
    client.force_login(user)
    session = client.session
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from crm.management.commands.seed_bench import HOT_CUSTOMER_NAME
    from crm.models import Customer

    size = int(os.environ["BENCH_SIZE"])
    companies = int(os.environ.get("BENCH_COMPANIES", "1"))
    if not Customer.objects.exists():
        call_command("seed_bench", organizations=size, stdout=sys.stderr)
        # A second company of the same size beside it: every page below is the
        # first company's, so the company filter is what the second one costs.
        for number in range(2, companies + 1):
            call_command(
                "seed_bench",
                organizations=size,
                company=f"Bench Firma {number} AG",
                prefix=f"bench{number}",
                seed=2026 + number,
                stdout=sys.stderr,
            )
    user = User.objects.get(username="bench_staff")
    dpo = User.objects.get(username="bench_dpo")
    visible = Customer.objects.visible_to(user)
    deep = int(visible.count() * 0.8)
    after = visible.order_by("name", "pk").values_list("pk", flat=True)[deep]
    hot = Customer.objects.get(name=HOT_CUSTOMER_NAME, company_id=user.company_id)
    pages: list[tuple] = [
        ("customer list, first page", "/customers/", {}),
        ("customer list, 80 % deep", "/customers/", {"after": after}),
        ("search 'mueller'", "/search/", {"q": "mueller"}),
        ("customer detail, 2,000 interactions", f"/customers/{hot.pk}/", {}),
    ]
    client = Client()
    client.force_login(user)
    reader = Client()  # the DPO: every customer of the company (no team filter)
    _sign_in_with_second_factor(reader, dpo)
    pages += [
        ("customer list as DPO, first page", "/customers/", {}, reader),
        ("search 'mueller' as DPO", "/search/", {"q": "mueller"}, reader),
    ]
    results = []
    for label, url, data, *who in pages:
        client_of_page = who[0] if who else client
        for _ in range(3):  # warm: connection, templates, caches
            assert client_of_page.get(url, data).status_code == 200
        median = timed(lambda u=url, d=data, c=client_of_page: _ok(c.get(u, d)), RUNS)
        with CaptureQueriesContext(connection) as queries:
            client_of_page.get(url, data)
        results.append(
            {
                "size": size,
                "page": label,
                "median_ms": median,
                "queries": len(queries),
                "detail": f"{companies} compan{'y' if companies == 1 else 'ies'}",
            }
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
