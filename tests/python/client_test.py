#!/usr/bin/python3
"""A client in another language, built from proto/ alone, calls all three services.

Generates Python stubs from proto/salesops/v1/*.proto (and the standard health and reflection
protos from Debian's grpc-proto package), starts the local stack with scripts/stack on loopback
(mutual TLS, bearer token), and checks every service over gRPC: health, reflection, a forecast, a plan, a snapshot upload,
a report, and INVALID_ARGUMENT for bad input. Run by ctest; needs the build tree
($SALESOPS_BUILD_DIR).
"""
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SALESOPS_BUILD_DIR", os.path.join(ROOT, "build"))
GRPC_PROTO = "/usr/share/grpc-proto"


def generate_stubs(out):
    protos = [os.path.join("salesops/v1", f) for f in sorted(os.listdir(os.path.join(ROOT, "proto/salesops/v1")))]
    subprocess.run(["protoc", "-I", os.path.join(ROOT, "proto"), "-I", "/usr/include", f"--python_out={out}",
                    f"--grpc_out={out}", "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin", *protos], check=True)
    # The standard protos are generated as top-level modules (health_pb2...), since a "grpc" package
    # of our own would hide the installed grpc module.
    std = os.path.join(out, "std_protos")
    os.makedirs(std)
    for path in ("grpc/health/v1/health.proto", "grpc/reflection/v1alpha/reflection.proto"):
        with open(os.path.join(GRPC_PROTO, path)) as src, open(os.path.join(std, os.path.basename(path)), "w") as dst:
            dst.write(src.read())
    subprocess.run(["protoc", "-I", std, f"--python_out={out}", f"--grpc_out={out}",
                    "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin", "health.proto", "reflection.proto"],
                   check=True)
    sys.path.insert(0, out)


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="salesops-pyclient-")
        generate_stubs(cls.tmp.name)
        cls.env = dict(os.environ, SALESOPS_STACK_DIR=os.path.join(cls.tmp.name, "stack"), SALESOPS_BUILD_DIR=BUILD)
        subprocess.run([os.path.join(ROOT, "scripts/stack"), "start"], env=cls.env, check=True,
                       stdout=subprocess.DEVNULL)
        addrs = {}
        with open(os.path.join(cls.env["SALESOPS_STACK_DIR"], "env")) as f:
            for line in f:
                key, value = line.strip().removeprefix("export ").split("=", 1)
                addrs[key] = value
        import grpc
        cls.grpc = grpc
        # The stack runs mutual TLS and bearer tokens: the CA, a client certificate and the admin
        # token from its env file; the token goes on every call as "authorization: Bearer ...".
        def read(key):
            with open(addrs[key], "rb") as f:
                return f.read()
        credentials = grpc.composite_channel_credentials(
            grpc.ssl_channel_credentials(root_certificates=read("SALESOPS_CLIENT_TLS_CA_FILE"),
                                         private_key=read("SALESOPS_CLIENT_TLS_KEY_FILE"),
                                         certificate_chain=read("SALESOPS_CLIENT_TLS_CERT_FILE")),
            grpc.access_token_call_credentials(read("SALESOPS_TOKEN_FILE").decode().strip()))
        cls.channels = {name: grpc.secure_channel(addrs[f"SALESOPS_{name.upper()}_ADDR"], credentials)
                        for name in ("forecast", "quota", "reporting")}

    @classmethod
    def tearDownClass(cls):
        for channel in cls.channels.values():
            channel.close()
        subprocess.run([os.path.join(ROOT, "scripts/stack"), "stop"], env=cls.env, check=False)
        cls.tmp.cleanup()

    def test_health_and_reflection(self):
        import health_pb2
        import health_pb2_grpc
        import reflection_pb2
        import reflection_pb2_grpc
        expected = {"forecast": "salesops.v1.ForecastService", "quota": "salesops.v1.QuotaService",
                    "reporting": "salesops.v1.ReportingService"}
        for name, channel in self.channels.items():
            health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
            self.assertEqual(health.status, health_pb2.HealthCheckResponse.SERVING)
            stub = reflection_pb2_grpc.ServerReflectionStub(channel)
            responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                                                  timeout=10)
            services = {s.name for r in responses for s in r.list_services_response.service}
            self.assertIn(expected[name], services)

    def test_forecast(self):
        from salesops.v1 import forecasting_pb2, forecasting_pb2_grpc, types_pb2
        stub = forecasting_pb2_grpc.ForecastServiceStub(self.channels["forecast"])
        series = types_pb2.TimeSeries(id="bookings", granularity=types_pb2.GRANULARITY_MONTH,
                                      start=types_pb2.Date(year=2024, month=1, day=1),
                                      values=[100 + 5 * t + (20 if t % 12 == 11 else 0) for t in range(36)])
        response = stub.Forecast(forecasting_pb2.ForecastRequest(series=[series], horizon=6), timeout=30)
        forecast = response.forecasts[0]
        self.assertEqual(len(forecast.mean), 6)
        self.assertEqual([i.level for i in forecast.intervals], [80, 95])
        self.assertTrue(forecast.model)
        self.assertEqual(forecast.first_date.year, 2027)
        with self.assertRaises(self.grpc.RpcError) as bad:
            stub.Forecast(forecasting_pb2.ForecastRequest(series=[series], horizon=0), timeout=30)
        self.assertEqual(bad.exception.code(), self.grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("horizon", bad.exception.details())

    def company(self):
        from salesops.v1 import types_pb2
        territories = [types_pb2.TerritoryNode(id="CO", name="Company"),
                       types_pb2.TerritoryNode(id="EAST", name="East", parent_id="CO"),
                       types_pb2.TerritoryNode(id="WEST", name="West", parent_id="CO")]
        reps = [types_pb2.Rep(id="r1", name="Ann", territory_id="EAST"),
                types_pb2.Rep(id="r2", name="Bob", territory_id="WEST")]
        return territories, reps

    def test_plan_upload_and_report(self):
        from salesops.v1 import quota_pb2, quota_pb2_grpc, reporting_pb2, reporting_pb2_grpc, types_pb2
        territories, reps = self.company()
        quota = quota_pb2_grpc.QuotaServiceStub(self.channels["quota"])
        plan = quota.CreatePlan(quota_pb2.CreatePlanRequest(
            name="py plan", fiscal_year=2026, calendar=types_pb2.FiscalCalendar(start_month=1),
            target=types_pb2.Money(currency_code="USD", minor_units=400_000_00),
            method=quota_pb2.ALLOCATION_METHOD_EQUAL_SPLIT, territories=territories, reps=reps), timeout=30)
        self.assertEqual({a.id: a.annual_quota.minor_units for a in plan.allocations},
                         {"CO": 400_000_00, "EAST": 200_000_00, "WEST": 200_000_00, "r1": 200_000_00, "r2": 200_000_00})
        got = quota.GetPlan(quota_pb2.GetPlanRequest(plan_id=plan.plan_id), timeout=30)
        self.assertEqual(got, plan)

        def opportunity(i, owner, territory, amount, month, won):
            return types_pb2.Opportunity(
                id=f"o{i}", account_id="acme", owner_rep_id=owner, territory_id=territory, product="Platform",
                amount=types_pb2.Money(currency_code="USD", minor_units=amount), stage="Closed Won" if won else "Proposal",
                probability=1.0 if won else 0.5,
                forecast_category=types_pb2.FORECAST_CATEGORY_CLOSED if won else types_pb2.FORECAST_CATEGORY_BEST_CASE,
                created_date=types_pb2.Date(year=2025, month=1, day=1),
                close_date=types_pb2.Date(year=2026, month=month, day=10), closed=won, won=won)

        opportunities = [opportunity(i, "r1" if i % 2 else "r2", "EAST" if i % 2 else "WEST", 10_000_00, 1 + i % 5, True)
                         for i in range(20)]
        opportunities.append(opportunity(99, "r1", "EAST", 50_000_00, 6, False))
        header = reporting_pb2.SnapshotHeader(as_of=types_pb2.Date(year=2026, month=5, day=20), currency_code="USD",
                                              calendar=types_pb2.FiscalCalendar(start_month=1), source="python test")
        messages = [reporting_pb2.UploadSnapshotRequest(header=header),
                    reporting_pb2.UploadSnapshotRequest(chunk=reporting_pb2.SnapshotChunk(territories=territories, reps=reps)),
                    reporting_pb2.UploadSnapshotRequest(chunk=reporting_pb2.SnapshotChunk(opportunities=opportunities))]
        reporting = reporting_pb2_grpc.ReportingServiceStub(self.channels["reporting"])
        info = reporting.UploadSnapshot(iter(messages), timeout=30)
        self.assertEqual(len(info.snapshot_id), 64)
        self.assertEqual(info.opportunity_count, 21)

        report = reporting.AttainmentReport(reporting_pb2.AttainmentReportRequest(
            snapshot_id=info.snapshot_id, plan_id=plan.plan_id), timeout=30)
        self.assertEqual(report.period.type, types_pb2.PERIOD_TYPE_QUARTER)
        self.assertEqual(report.period.index, 2)
        top = report.rows[0]
        self.assertEqual(top.id, "CO")
        self.assertEqual(top.quota.minor_units, 100_000_00)
        # Wins in April and May (months 4, 5): i % 5 in {3, 4} -> 8 deals of 10,000.
        self.assertEqual(top.closed_won.minor_units, 80_000_00)
        self.assertEqual(top.open_pipeline.minor_units, 50_000_00)
        self.assertGreaterEqual(top.landing.expected.minor_units, top.closed_won.minor_units)

        with self.assertRaises(self.grpc.RpcError) as bad:
            reporting.AttainmentReport(reporting_pb2.AttainmentReportRequest(
                snapshot_id="f" * 64, plan_id=plan.plan_id), timeout=30)
        self.assertEqual(bad.exception.code(), self.grpc.StatusCode.NOT_FOUND)
        self.assertIn("snapshot_id", bad.exception.details())


if __name__ == "__main__":
    unittest.main(verbosity=2)
