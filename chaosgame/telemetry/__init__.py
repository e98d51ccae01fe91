"""Telemetry: honest, partial views of the simulation, and the query language over them.

The entry point is :func:`chaosgame.telemetry.query.run`::

    result, cost_s = run(sim, 'rate(http_requests_total{service="checkout"}[5m])', now)

Everything returned is plain data; nothing reads the scenario's faults or hidden truth to
decide what to show.
"""
