"""The kinds of system a generated incident happens in, with names and shapes that fit them.

Each archetype is a small real-looking core (its user journeys, the services behind them, the
stores those call) written as a call list, plus a pool of words for the services a bigger
fleet of that kind grows. :mod:`chaosgame.generate.system` turns one into a fleet of any size.

The call list has one line per caller: ``caller: callee callee? callee~``. A bare callee is a
required synchronous call, ``?`` marks an optional call (a failure degrades the answer, not
the request) and ``~`` an asynchronous one (a queue and its consumer). Component kinds follow
the names (``-db``, ``-index``, ``-ledger`` are databases, ``-cache`` caches, ``-events``,
``-queue``, ``-stream`` queues) unless ``kinds`` says otherwise.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class JourneySpec:
    """A user journey: what users do, the service that serves it, and its usual rate."""

    name: str
    entry: str
    rate: float
    doing: str
    """What users do, for briefings: 'check out', 'load their feed'."""


@dataclass(frozen=True)
class Archetype:
    key: str
    title: str
    product: str
    """What the on-call engineer is on call for: 'the shop'."""
    users: str
    journeys: tuple[JourneySpec, ...]
    calls: str
    kinds: dict[str, str]
    pad: tuple[str, ...]
    """Words for the extra services a bigger fleet has."""
    teams: dict[str, str]
    external_words: tuple[str, ...] = ()
    """What the third parties are, for debriefs: 'card network'."""

    def edges(self) -> list[tuple[str, str, str]]:
        """The call list as (caller, callee, mode) with mode 'sync', 'optional' or 'async'."""
        out = []
        for line in self.calls.strip().splitlines():
            caller, _, rest = line.partition(":")
            for word in rest.split():
                mode = (
                    "optional" if word.endswith("?") else "async" if word.endswith("~") else "sync"
                )
                out.append((caller.strip(), word.rstrip("?~"), mode))
        return out

    def names(self) -> list[str]:
        out = [j.entry for j in self.journeys]
        for src, dst, _ in self.edges():
            out += [src, dst]
        return list(dict.fromkeys(out))

    def renamed(self, rng: random.Random) -> Archetype:
        """The same system as another company names it: each service, store and queue takes
        one of the usual spellings (``cart``, ``cart-api``, ``cart-service``; ``orders-db``,
        ``orders-pg``; ``pricing-cache``, ``pricing-redis``...)."""
        kinds = {n: self.kind_of(n) for n in self.names()}
        mapping = {n: _variant(n, kinds[n], rng) for n in self.names()}
        if len(set(mapping.values())) != len(mapping):
            mapping = {n: n for n in mapping}

        return replace(
            self,
            journeys=tuple(replace(j, entry=mapping[j.entry]) for j in self.journeys),
            calls="\n".join(
                f"{mapping[c.strip()]}: "
                + " ".join(mapping[w.rstrip("?~")] + w[len(w.rstrip("?~")) :] for w in rest.split())
                for c, _, rest in (line.partition(":") for line in self.calls.strip().splitlines())
            ),
            kinds={mapping[n]: k for n, k in kinds.items()},
            teams={mapping.get(n, n): t for n, t in self.teams.items()},
        )

    def kind_of(self, name: str) -> str:
        if name in self.kinds:
            return self.kinds[name]
        if name.endswith(("-db", "-index", "-ledger", "-store")):
            return "database"
        if name.endswith("-cache"):
            return "cache"
        if name.endswith(("-events", "-queue", "-stream")):
            return "queue"
        return "service"


_SUFFIXES = {
    "database": (
        ("-db", "-db"),
        ("-db", "-pg"),
        ("-db", "-mysql"),
        ("-index", "-index"),
        ("-index", "-search"),
        ("-ledger", "-ledger"),
        ("-store", "-store"),
    ),
    "cache": (("-cache", "-cache"), ("-cache", "-redis"), ("-cache", "-memcached")),
    "queue": (("-events", "-events"), ("-events", "-topic"), ("-events", "-stream")),
}


def _variant(name: str, kind: str, rng: random.Random) -> str:
    if kind in ("service", "worker"):
        tail = rng.choice(("", "", "-api", "-service", "-svc"))
        stem = name
        for end in ("-api", "-service", "-svc"):
            stem = stem.removesuffix(end)
        return stem + tail if tail else name
    if kind == "external":
        stem = name
        for tail in ("-api", "-provider", "-gateway", "-partner", "-saas"):
            stem = stem.removesuffix(tail)
        return rng.choice((name, f"{stem}-provider", f"{stem}-partner", f"{stem}-saas"))
    options = [(a, b) for a, b in _SUFFIXES.get(kind, ()) if name.endswith(a)]
    if not options:
        return name
    a, b = rng.choice(options + [(options[0][0], options[0][0])])
    return name[: -len(a)] + b


def _j(spec: str) -> tuple[JourneySpec, ...]:
    out = []
    for line in spec.strip().splitlines():
        name, entry, rate, doing = (p.strip() for p in line.split("|"))
        out.append(JourneySpec(name, entry, float(rate), doing))
    return tuple(out)


ARCHETYPES: dict[str, Archetype] = {}


def _add(a: Archetype) -> None:
    ARCHETYPES[a.key] = a


_add(
    Archetype(
        key="shop",
        title="online shop",
        product="the shop",
        users="shoppers",
        journeys=_j(
            """
            browse | storefront | 220 | load product pages
            search | search | 120 | search the catalogue
            add-to-cart | cart | 60 | add items to their carts
            checkout | checkout | 25 | check out
            """
        ),
        calls="""
            storefront: catalog pricing reviews?
            search: search-index
            cart: cart-cache pricing inventory
            checkout: cart payments inventory orders-db order-events tax-api
            payments: payments-db card-network
            inventory: inventory-db
            pricing: pricing-cache
            pricing-cache: pricing-db
            catalog: catalog-db
            order-events: fulfilment~
            fulfilment: orders-db
        """,
        kinds={"tax-api": "external", "card-network": "external", "fulfilment": "worker"},
        pad=(
            "recommendations",
            "wishlist",
            "promotions",
            "loyalty",
            "gift-cards",
            "returns",
            "sellers",
            "notifications",
            "fraud-check",
            "address-book",
            "images",
            "sessions",
            "coupons",
            "bundles",
            "shipping-quotes",
            "stock-alerts",
            "store-locator",
            "ratings",
        ),
        teams={
            "storefront": "web",
            "search": "discovery",
            "cart": "cart",
            "checkout": "checkout",
            "payments": "payments",
            "inventory": "supply",
            "pricing": "pricing",
            "catalog": "catalog",
            "fulfilment": "fulfilment",
        },
        external_words=("tax calculation API", "card network"),
    )
)

_add(
    Archetype(
        key="payments",
        title="payments platform",
        product="payments",
        users="merchants",
        journeys=_j(
            """
            authorize | auth-api | 90 | take card payments
            payouts | payouts | 12 | pay out their balances
            dashboard | merchant-portal | 40 | open their dashboards
            """
        ),
        calls="""
            auth-api: risk-engine tokenizer ledger acquirer-gateway
            risk-engine: risk-cache
            risk-cache: risk-db
            tokenizer: vault-db
            ledger: ledger-db ledger-events
            payouts: ledger bank-connector
            merchant-portal: reports merchant-db
            reports: ledger-db?
            ledger-events: settlement~
            settlement: ledger-db
        """,
        kinds={
            "acquirer-gateway": "external",
            "bank-connector": "external",
            "settlement": "worker",
        },
        pad=(
            "disputes",
            "refunds",
            "fx-rates",
            "kyc",
            "invoicing",
            "webhooks",
            "statements",
            "chargebacks",
            "limits",
            "onboarding",
            "fees",
            "audit-log",
            "subscriptions",
            "reconciliation",
            "api-keys",
            "notifications",
        ),
        teams={
            "auth-api": "payments-core",
            "risk-engine": "risk",
            "tokenizer": "security",
            "ledger": "ledger",
            "payouts": "payouts",
            "merchant-portal": "merchant-web",
            "reports": "reporting",
            "settlement": "ledger",
        },
        external_words=("card acquirer", "banking partner"),
    )
)

_add(
    Archetype(
        key="feed",
        title="social feed",
        product="the social app",
        users="users",
        journeys=_j(
            """
            feed | feed-api | 300 | load their feed
            post | posting | 40 | publish posts
            profile | profiles | 120 | open profiles
            """
        ),
        calls="""
            feed-api: timeline ranking media?
            timeline: timeline-cache social-graph
            timeline-cache: timeline-db
            ranking: ranking-cache
            social-graph: graph-db
            posting: posts-db post-events moderation
            moderation: classifier-api
            profiles: profile-cache media?
            profile-cache: profile-db
            media: media-store
            post-events: fanout~
            fanout: timeline-db
        """,
        kinds={"classifier-api": "external", "fanout": "worker", "media-store": "database"},
        pad=(
            "notifications",
            "messaging",
            "stories",
            "hashtags",
            "trending",
            "follows",
            "comments",
            "likes",
            "mentions",
            "ads",
            "link-preview",
            "search",
            "blocks",
            "reports",
            "presence",
            "invites",
        ),
        teams={
            "feed-api": "feed",
            "timeline": "feed",
            "ranking": "ranking",
            "social-graph": "graph",
            "posting": "creation",
            "moderation": "trust-safety",
            "profiles": "identity",
            "media": "media",
            "fanout": "feed",
        },
        external_words=("content classifier API",),
    )
)

_add(
    Archetype(
        key="streaming",
        title="video streaming service",
        product="streaming",
        users="viewers",
        journeys=_j(
            """
            play | playback | 180 | start videos
            browse | catalog-api | 140 | browse titles
            sign-in | accounts | 30 | sign in
            """
        ),
        calls="""
            playback: entitlements manifests license-server drm-provider
            entitlements: entitlements-cache
            entitlements-cache: subscriptions-db
            manifests: manifest-cache
            manifest-cache: titles-db
            license-server: license-db
            catalog-api: artwork? recommendations titles-db
            recommendations: rec-cache
            accounts: accounts-db session-cache view-events
            view-events: watch-history~
            watch-history: history-db
        """,
        kinds={"drm-provider": "external", "watch-history": "worker"},
        pad=(
            "subtitles",
            "thumbnails",
            "continue-watching",
            "parental-controls",
            "profiles",
            "billing",
            "search",
            "trailers",
            "downloads",
            "devices",
            "ratings",
            "watchlist",
            "live-events",
            "bookmarks",
            "ads",
            "localisation",
        ),
        teams={
            "playback": "playback",
            "entitlements": "commerce",
            "manifests": "playback",
            "license-server": "drm",
            "catalog-api": "discovery",
            "recommendations": "ml",
            "accounts": "identity",
            "artwork": "discovery",
            "watch-history": "data",
        },
        external_words=("DRM licence provider",),
    )
)

_add(
    Archetype(
        key="rides",
        title="ride dispatch platform",
        product="dispatch",
        users="riders",
        journeys=_j(
            """
            request-ride | dispatch | 45 | request rides
            quote | pricing | 110 | get fare quotes
            track | tracking | 160 | track their drivers
            """
        ),
        calls="""
            dispatch: matching pricing trips-db trip-events payments-api
            matching: driver-locations supply-cache
            supply-cache: drivers-db
            pricing: surge maps-api
            surge: surge-cache
            tracking: driver-locations eta
            eta: maps-api
            driver-locations: locations-db
            trip-events: receipts~
            receipts: trips-db
        """,
        kinds={
            "maps-api": "external",
            "payments-api": "external",
            "receipts": "worker",
            "locations-db": "database",
        },
        pad=(
            "promotions",
            "ratings",
            "support",
            "safety",
            "driver-onboarding",
            "referrals",
            "fraud",
            "notifications",
            "scheduling",
            "airports",
            "tips",
            "cancellations",
            "geofences",
            "vehicles",
            "shifts",
            "incentives",
        ),
        teams={
            "dispatch": "marketplace",
            "matching": "marketplace",
            "pricing": "pricing",
            "surge": "pricing",
            "tracking": "maps",
            "eta": "maps",
            "driver-locations": "maps",
            "receipts": "payments",
        },
        external_words=("maps provider", "payment processor"),
    )
)

_add(
    Archetype(
        key="saas",
        title="business SaaS API",
        product="the API",
        users="customers",
        journeys=_j(
            """
            api | public-api | 260 | call the API
            login | auth | 35 | sign in
            reports | reporting | 15 | run reports
            """
        ),
        calls="""
            public-api: auth tenants projects billing?
            auth: sessions-cache identity-db idp
            tenants: tenant-cache
            tenant-cache: tenants-db
            projects: projects-db search-index? audit-events
            billing: billing-db
            reporting: warehouse tenants
            audit-events: audit-writer~
            audit-writer: audit-db
        """,
        kinds={"idp": "external", "audit-writer": "worker", "warehouse": "database"},
        pad=(
            "webhooks",
            "exports",
            "imports",
            "notifications",
            "permissions",
            "comments",
            "attachments",
            "integrations",
            "scheduler",
            "usage-metering",
            "feature-gates",
            "sso",
            "invites",
            "templates",
            "activity",
            "quotas",
        ),
        teams={
            "public-api": "platform",
            "auth": "identity",
            "tenants": "platform",
            "projects": "core",
            "billing": "billing",
            "reporting": "analytics",
            "audit-writer": "compliance",
        },
        external_words=("identity provider",),
    )
)

_add(
    Archetype(
        key="pipeline",
        title="data pipeline",
        product="the data platform",
        users="analysts",
        journeys=_j(
            """
            ingest | ingest-api | 500 | send events
            query | query-api | 60 | run dashboard queries
            export | exports | 8 | export data
            """
        ),
        calls="""
            ingest-api: schema-registry raw-events
            schema-registry: schema-cache
            schema-cache: schema-db
            raw-events: enricher~
            enricher: geo-api warehouse
            query-api: query-cache warehouse
            query-cache: results-db
            exports: warehouse object-store
        """,
        kinds={
            "geo-api": "external",
            "object-store": "external",
            "enricher": "worker",
            "warehouse": "database",
        },
        pad=(
            "compaction",
            "lineage",
            "catalog",
            "quality-checks",
            "sessionizer",
            "dedup",
            "backfills",
            "scheduler",
            "alerts-engine",
            "retention",
            "anonymizer",
            "metrics-api",
            "partitions",
            "rollups",
            "sampler",
            "connectors",
        ),
        teams={
            "ingest-api": "ingest",
            "schema-registry": "ingest",
            "enricher": "pipelines",
            "query-api": "analytics",
            "exports": "analytics",
        },
        external_words=("IP geolocation API", "object storage"),
    )
)

_add(
    Archetype(
        key="bookings",
        title="travel bookings site",
        product="bookings",
        users="travellers",
        journeys=_j(
            """
            search | availability | 200 | search for rooms
            book | booking | 20 | book stays
            manage | trips | 50 | manage their trips
            """
        ),
        calls="""
            availability: rates-cache inventory-api?
            rates-cache: rates-db
            booking: availability reservations-db payment-gateway booking-events
            trips: reservations-db loyalty?
            loyalty: loyalty-db
            booking-events: confirmations~
            confirmations: email-provider
        """,
        kinds={
            "inventory-api": "external",
            "payment-gateway": "external",
            "email-provider": "external",
            "confirmations": "worker",
        },
        pad=(
            "reviews",
            "maps",
            "deals",
            "currency",
            "cancellations",
            "messaging",
            "photos",
            "partners",
            "itineraries",
            "insurance",
            "car-hire",
            "invoices",
            "wishlists",
            "notifications",
            "translations",
            "fraud-check",
        ),
        teams={
            "availability": "search",
            "booking": "booking",
            "trips": "post-booking",
            "loyalty": "loyalty",
            "confirmations": "messaging",
        },
        external_words=("hotel inventory partner", "payment gateway", "email provider"),
    )
)

_add(
    Archetype(
        key="delivery",
        title="food delivery app",
        product="delivery",
        users="customers",
        journeys=_j(
            """
            order | ordering | 35 | place orders
            menus | restaurants | 150 | browse menus
            courier | courier-api | 60 | follow their couriers
            """
        ),
        calls="""
            ordering: menu-service baskets payments-hub order-db order-events
            menu-service: menu-cache
            menu-cache: menu-db
            baskets: basket-cache
            payments-hub: psp-api
            restaurants: menu-service ratings? eta-service
            eta-service: routing-api
            courier-api: courier-locations eta-service
            courier-locations: locations-store
            order-events: dispatcher~
            dispatcher: order-db courier-locations
        """,
        kinds={"psp-api": "external", "routing-api": "external", "dispatcher": "worker"},
        pad=(
            "promotions",
            "loyalty",
            "support-chat",
            "tips",
            "reviews",
            "refunds",
            "favourites",
            "group-orders",
            "allergens",
            "opening-hours",
            "delivery-zones",
            "vouchers",
            "receipts",
            "notifications",
            "courier-payouts",
            "menu-import",
        ),
        teams={
            "ordering": "ordering",
            "menu-service": "catalogue",
            "baskets": "ordering",
            "payments-hub": "payments",
            "restaurants": "catalogue",
            "eta-service": "logistics",
            "courier-api": "logistics",
            "courier-locations": "logistics",
            "dispatcher": "logistics",
        },
        external_words=("payment service provider", "routing provider"),
    )
)

_add(
    Archetype(
        key="banking",
        title="online bank",
        product="online banking",
        users="customers",
        journeys=_j(
            """
            login | auth-gateway | 40 | sign in
            balances | accounts-api | 160 | see their balances
            transfer | transfers | 15 | send money
            """
        ),
        calls="""
            auth-gateway: identity otp-sender session-cache
            identity: identity-db
            otp-sender: sms-provider
            accounts-api: core-ledger balance-cache
            balance-cache: core-ledger
            core-ledger: ledger-db
            transfers: fraud-screen core-ledger payment-rails transfer-events
            fraud-screen: fraud-cache
            fraud-cache: fraud-db
            transfer-events: statements~
            statements: statements-db
        """,
        kinds={"sms-provider": "external", "payment-rails": "external", "statements": "worker"},
        pad=(
            "cards",
            "standing-orders",
            "savings",
            "loans",
            "mortgages",
            "insurance",
            "kyc",
            "notifications",
            "documents",
            "payees",
            "limits",
            "exchange",
            "disputes",
            "overdrafts",
            "budgets",
            "open-banking",
        ),
        teams={
            "auth-gateway": "identity",
            "identity": "identity",
            "otp-sender": "identity",
            "accounts-api": "accounts",
            "core-ledger": "core-banking",
            "transfers": "payments",
            "fraud-screen": "fraud",
            "statements": "accounts",
        },
        external_words=("SMS provider", "payment rails"),
    )
)

_add(
    Archetype(
        key="gaming",
        title="online game backend",
        product="the game's backend",
        users="players",
        journeys=_j(
            """
            matchmaking | matchmaker | 70 | find matches
            store | item-shop | 25 | buy items
            profile | player-profile | 130 | load their profiles
            """
        ),
        calls="""
            matchmaker: lobby skill-ratings session-allocator
            lobby: lobby-cache
            skill-ratings: ratings-db
            session-allocator: fleet-api
            item-shop: inventory entitlements-svc platform-payments purchase-events
            inventory: inventory-db
            entitlements-svc: entitlements-cache
            entitlements-cache: entitlements-db
            player-profile: profile-cache achievements?
            profile-cache: players-db
            achievements: achievements-db
            purchase-events: grants~
            grants: inventory-db
        """,
        kinds={"fleet-api": "external", "platform-payments": "external", "grants": "worker"},
        pad=(
            "leaderboards",
            "friends",
            "chat",
            "clans",
            "anti-cheat",
            "telemetry-ingest",
            "seasons",
            "quests",
            "replays",
            "tournaments",
            "cosmetics",
            "news-feed",
            "crash-reports",
            "presence",
            "gifting",
            "moderation",
        ),
        teams={
            "matchmaker": "online",
            "lobby": "online",
            "skill-ratings": "online",
            "session-allocator": "online",
            "item-shop": "commerce",
            "inventory": "commerce",
            "entitlements-svc": "commerce",
            "player-profile": "player-services",
            "achievements": "player-services",
            "grants": "commerce",
        },
        external_words=("game-server fleet provider", "platform payments"),
    )
)

_add(
    Archetype(
        key="news",
        title="news site with subscriptions",
        product="the news site",
        users="readers",
        journeys=_j(
            """
            read | articles | 400 | read articles
            subscribe | subscriptions | 6 | subscribe
            search | site-search | 50 | search the archive
            """
        ),
        calls="""
            articles: content-api paywall comments? ad-decisions?
            content-api: content-cache
            content-cache: content-db
            paywall: entitlements-api
            entitlements-api: subscribers-db
            subscriptions: entitlements-api billing-provider subscriber-events
            site-search: archive-index
            subscriber-events: newsletter-sync~
            newsletter-sync: mailing-provider
        """,
        kinds={
            "billing-provider": "external",
            "mailing-provider": "external",
            "ad-decisions": "external",
            "newsletter-sync": "worker",
        },
        pad=(
            "live-blogs",
            "recommendations",
            "bookmarks",
            "puzzles",
            "weather",
            "markets",
            "newsletters",
            "podcasts",
            "photo-galleries",
            "corrections",
            "authors",
            "tags",
            "translations",
            "push-alerts",
            "syndication",
            "comments-moderation",
        ),
        teams={
            "articles": "web",
            "content-api": "content",
            "paywall": "subscriptions",
            "entitlements-api": "subscriptions",
            "subscriptions": "subscriptions",
            "site-search": "discovery",
            "newsletter-sync": "engagement",
        },
        external_words=("billing provider", "mailing provider", "ad exchange"),
    )
)

_add(
    Archetype(
        key="clinics",
        title="clinic booking and telehealth service",
        product="the patient app",
        users="patients",
        journeys=_j(
            """
            book | appointments | 35 | book appointments
            records | patient-portal | 90 | read their records
            visit | video-visits | 12 | join video visits
            """
        ),
        calls="""
            appointments: schedules patients insurance-check booking-events
            schedules: schedules-db slots-cache
            slots-cache: schedules-db
            patients: patients-db
            insurance-check: eligibility-provider
            patient-portal: patients records-api lab-results?
            records-api: records-store
            lab-results: results-db
            video-visits: patients visit-rooms video-provider
            visit-rooms: rooms-cache
            booking-events: reminders~
            reminders: sms-provider
        """,
        kinds={
            "eligibility-provider": "external",
            "video-provider": "external",
            "sms-provider": "external",
            "reminders": "worker",
        },
        pad=(
            "prescriptions",
            "referrals",
            "billing",
            "consents",
            "clinicians",
            "messages",
            "waitlists",
            "intake-forms",
            "vaccinations",
            "audit-trail",
            "translations",
            "payments",
            "claims",
            "care-plans",
            "surveys",
            "directory",
        ),
        teams={
            "appointments": "scheduling",
            "schedules": "scheduling",
            "patients": "patient-data",
            "insurance-check": "billing",
            "patient-portal": "portal",
            "records-api": "patient-data",
            "lab-results": "patient-data",
            "video-visits": "telehealth",
            "visit-rooms": "telehealth",
            "reminders": "scheduling",
        },
        external_words=("insurance eligibility provider", "video provider", "SMS provider"),
    )
)

_add(
    Archetype(
        key="parcels",
        title="parcel tracking and delivery network",
        product="parcel tracking",
        users="senders and recipients",
        journeys=_j(
            """
            track | tracking | 220 | track their parcels
            ship | shipments | 20 | create shipments
            scan | scan-ingest | 140 | scan parcels at depots
            """
        ),
        calls="""
            tracking: parcels-api tracking-cache eta?
            tracking-cache: parcels-db
            parcels-api: parcels-db
            eta: routes-db
            shipments: parcels-api rates label-printer shipment-events
            rates: rates-cache
            rates-cache: tariffs-db
            label-printer: carrier-api
            scan-ingest: parcels-api scan-events
            scan-events: status-updater~
            status-updater: parcels-db notify-provider
            shipment-events: customs~
            customs: customs-db
        """,
        kinds={
            "carrier-api": "external",
            "notify-provider": "external",
            "status-updater": "worker",
            "customs": "worker",
        },
        pad=(
            "depots",
            "drivers",
            "returns",
            "pickups",
            "address-book",
            "invoices",
            "claims",
            "lockers",
            "proof-of-delivery",
            "capacity-planning",
            "manifests",
            "webhooks",
            "fleet",
            "sorting",
            "exceptions",
            "reporting",
        ),
        teams={
            "tracking": "tracking",
            "parcels-api": "core",
            "eta": "routing",
            "shipments": "shipping",
            "rates": "pricing",
            "label-printer": "shipping",
            "scan-ingest": "depot-systems",
            "status-updater": "tracking",
            "customs": "compliance",
        },
        external_words=("carrier API", "notification provider"),
    )
)

_add(
    Archetype(
        key="ads",
        title="ad-serving platform",
        product="ad serving",
        users="publishers and advertisers",
        journeys=_j(
            """
            serve | ad-server | 900 | get ads served
            report | reporting-api | 8 | read campaign reports
            manage | campaigns-api | 15 | manage campaigns
            """
        ),
        calls="""
            ad-server: targeting budgets creatives-cache auction impression-events
            targeting: segments-cache
            segments-cache: segments-db
            budgets: budgets-cache
            budgets-cache: budgets-db
            creatives-cache: creatives-db
            auction: bid-exchange?
            impression-events: billing-aggregator~
            billing-aggregator: spend-ledger
            reporting-api: stats-index
            campaigns-api: campaigns-db creatives-api fraud-vendor?
            creatives-api: creatives-db
        """,
        kinds={
            "bid-exchange": "external",
            "fraud-vendor": "external",
            "billing-aggregator": "worker",
        },
        pad=(
            "frequency-caps",
            "pacing",
            "brand-safety",
            "consent",
            "geo-targeting",
            "lookalikes",
            "attribution",
            "invoicing",
            "forecasting",
            "pixel-tracker",
            "audiences",
            "experiments",
            "inventory",
            "publishers",
            "payouts",
            "viewability",
        ),
        teams={
            "ad-server": "serving",
            "targeting": "serving",
            "budgets": "pacing",
            "auction": "exchange",
            "billing-aggregator": "billing",
            "reporting-api": "reporting",
            "campaigns-api": "campaigns",
            "creatives-api": "campaigns",
        },
        external_words=("ad exchange", "ad-fraud vendor"),
    )
)

_add(
    Archetype(
        key="smarthome",
        title="smart-home device platform",
        product="the smart-home platform",
        users="device owners",
        journeys=_j(
            """
            control | device-control | 60 | switch their devices
            status | device-status | 250 | see their devices' status
            telemetry | telemetry-ingest | 500 | report device readings
            """
        ),
        calls="""
            device-control: devices-api command-router auth-tokens
            devices-api: devices-db
            command-router: shadow-cache push-broker
            shadow-cache: shadows-db
            auth-tokens: tokens-cache
            tokens-cache: tokens-db
            device-status: shadow-cache devices-api automations?
            automations: rules-db
            telemetry-ingest: readings-events quotas
            quotas: quotas-cache
            readings-events: rollups~
            rollups: readings-store
        """,
        kinds={"push-broker": "external", "rollups": "worker"},
        pad=(
            "firmware",
            "pairing",
            "schedules",
            "scenes",
            "energy",
            "alerts",
            "households",
            "voice-assistant",
            "geofencing",
            "sharing",
            "diagnostics",
            "support",
            "warranty",
            "integrations",
            "subscriptions",
            "history",
        ),
        teams={
            "device-control": "control",
            "devices-api": "devices",
            "command-router": "control",
            "auth-tokens": "identity",
            "device-status": "devices",
            "automations": "automation",
            "telemetry-ingest": "data",
            "quotas": "data",
            "rollups": "data",
        },
        external_words=("push broker",),
    )
)
