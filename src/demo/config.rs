//! The demo's `shipdeck.toml`: real gates (soak in seconds, approvals, the production checklist,
//! a freeze ahead), every target pointing at the loopback servers.

use std::fmt::Write as _;
use std::net::SocketAddr;

use anyhow::Result;
use jiff::{Timestamp, ToSpan, tz::TimeZone};

use super::history::SERVICES;

/// The soak the prod gate asks for: long enough to see the countdown, short enough to wait out.
pub const SOAK: &str = "20s";

/// The config text for environments listening at `addrs` (dev, staging, prod in that order).
pub fn render(addrs: &[(&str, SocketAddr)], now: Timestamp) -> Result<String> {
    let freeze_start = now
        .to_zoned(TimeZone::UTC)
        .date()
        .checked_add(10.days())?
        .to_zoned(TimeZone::UTC)?;
    let freeze_end = freeze_start.checked_add(3.days())?;
    let mut out = String::new();
    out.push_str(
        "# The shipdeck demo: a shop with three services in one repository and three environments\n\
         # served on loopback. Written by `shipdeck demo`; edit freely, it is rewritten on the next run.\n\n\
         [project]\n\
         name = \"shop\"\n\
         state_dir = \".shipdeck\"\n\
         verify_timeout = \"30s\"\n\
         probe_interval = \"3s\"\n\n\
         [[environments]]\n\
         name = \"dev\"\n\n\
         [[environments]]\n\
         name = \"staging\"\n\
         gates = [{ kind = \"healthy\" }]\n\n\
         [[environments]]\n\
         name = \"prod\"\n\
         protected = true\n\
         gates = [\n",
    );
    let _ = writeln!(out, "  {{ kind = \"soak\", duration = \"{SOAK}\" }},");
    out.push_str(
        "  # Anyone but the promoter may approve; a colleague's approval of api-v1.5.0 is seeded.\n\
         \x20 { kind = \"approval\", count = 2 },\n\
         \x20 { kind = \"checklist\", name = \"production-release\" },\n\
         \x20 { kind = \"freeze\" },\n\
         ]\n\n",
    );
    // Publishing the notes (`P` in the release view) writes them into the demo's directory.
    out.push_str(
        "[[channels]]\n\
         name = \"notes-file\"\n\
         kind = \"file\"\n\
         path = \"release-notes/{{service}}-{{release}}.md\"\n\n",
    );
    let _ = write!(
        out,
        "[[freezes]]\n\
         name = \"payments-cutover\"\n\
         from = \"{}\"\n\
         until = \"{}\"\n\
         environments = [\"prod\"]\n",
        freeze_start.timestamp(),
        freeze_end.timestamp()
    );
    for (service, prefix) in SERVICES {
        let _ = write!(
            out,
            "\n[[services]]\n\
             name = \"{service}\"\n\
             repo = \"repo\"\n\
             tags = \"{prefix}*\"\n\
             paths = [\"{service}/**\"]\n\
             verify_timeout = \"30s\"\n"
        );
        for (env, addr) in addrs {
            if *env == super::router::ENV && *service == super::router::SERVICE {
                slotted(&mut out, addr);
                continue;
            }
            let _ = write!(
                out,
                "\n  [services.env.{env}]\n\
                 \x20 health = \"http://{addr}/{service}/health\"\n\
                 \x20 deploy = {{ kind = \"webhook\", url = \"http://{addr}/{service}/deploy\" }}\n"
            );
        }
    }
    // The three services go to prod together, dependencies first.
    out.push_str(
        "\n# Released together: `shipdeck train cut shop --from staging`, then `train promote`.\n\
         [[trains]]\n\
         name = \"shop\"\n\
         services = [\"worker\", \"api\", \"web\"]\n",
    );
    Ok(out)
}

/// Prod's web: two slots behind the demo's own `http` router, a canary with steps of seconds.
fn slotted(out: &mut String, addr: &SocketAddr) {
    let _ = write!(
        out,
        "\n  [services.env.prod]\n\
         \x20 # Two slots behind the demo's own router; what prod's users see follows the weights.\n\
         \x20 health = \"http://{addr}/web/slots/{{{{slot}}}}/health\"\n\
         \x20 deploy = {{ kind = \"webhook\", url = \"http://{addr}/web/slots/{{{{slot}}}}/deploy\" }}\n\n\
         \x20 [services.env.prod.traffic]\n\
         \x20 kind = \"http\"\n\
         \x20 url = \"http://{addr}/web/router\"\n\
         \x20 write = {{ url = \"http://{addr}/web/router\", headers = {{ Content-Type = \"application/json\" }}, body = \"{{{{weights_json}}}}\" }}\n\
         \x20 slots = [\"blue\", \"green\"]\n\
         \x20 steps = [{{ weight = 10, pause = \"{CANARY_PAUSE}\" }}, {{ weight = 50, pause = \"{CANARY_PAUSE}\" }}, {{ weight = 100 }}]\n"
    );
}

/// Each canary step's pause in the demo: long enough to read, short enough to wait out.
pub const CANARY_PAUSE: &str = "10s";
