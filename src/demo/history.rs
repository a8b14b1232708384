//! The demo shop's history: three services in one monorepo, written oldest first. Kept as data
//! so the repository builder stays small and the story is readable in one place.

/// The services of the demo, in board order, with their tag prefixes.
pub const SERVICES: &[(&str, &str)] = &[("api", "api-v"), ("web", "web-v"), ("worker", "worker-v")];

/// The environments of the demo, in path order.
pub const ENVIRONMENTS: &[&str] = &["dev", "staging", "prod"];

/// The release that deploys fine and then fails its health check.
pub const BAD_RELEASE: &str = "api-v1.6.0";

/// One person of the demo team.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub name: &'static str,
    pub email: &'static str,
    /// Minutes east of UTC, as their commits record it.
    pub offset_minutes: i32,
}

pub const DANA: Person = Person {
    name: "Dana Reyes",
    email: "dana@shop.example",
    offset_minutes: 60,
};
pub const PRIYA: Person = Person {
    name: "Priya Shah",
    email: "priya@shop.example",
    offset_minutes: 60,
};
pub const SAM: Person = Person {
    name: "Sam Okafor",
    email: "sam@shop.example",
    offset_minutes: 0,
};
pub const LENA: Person = Person {
    name: "Lena Novak",
    email: "lena@shop.example",
    offset_minutes: 60,
};
pub const MARCO: Person = Person {
    name: "Marco Bianchi",
    email: "marco@shop.example",
    offset_minutes: 120,
};

/// One commit: when (days before the demo starts, local hour and minute), who, what it says,
/// which files it touches (each line is appended to the file, creating it), and an optional
/// annotated release tag on it.
#[derive(Debug, Clone, Copy)]
pub struct Commit {
    pub days_ago: i64,
    pub at: (i8, i8),
    pub author: Person,
    pub message: &'static str,
    pub files: &'static [(&'static str, &'static str)],
    pub tag: Option<&'static str>,
}

const fn c(
    days_ago: i64,
    at: (i8, i8),
    author: Person,
    message: &'static str,
    files: &'static [(&'static str, &'static str)],
) -> Commit {
    Commit {
        days_ago,
        at,
        author,
        message,
        files,
        tag: None,
    }
}

const fn release(
    days_ago: i64,
    at: (i8, i8),
    author: Person,
    message: &'static str,
    files: &'static [(&'static str, &'static str)],
    tag: &'static str,
) -> Commit {
    Commit {
        days_ago,
        at,
        author,
        message,
        files,
        tag: Some(tag),
    }
}

/// The whole history, oldest first; commit times strictly increase.
#[rustfmt::skip]
pub const HISTORY: &[Commit] = &[
    c(38, (9, 12), DANA, "chore: bootstrap the shop monorepo", &[
        ("README.md", "# shop\n\nThe shop's services: `api` (Rust), `web` (TypeScript), `worker` (Python)."),
        ("api/Cargo.toml", "[package]\nname = \"shop-api\"\nedition = \"2024\""),
        ("api/src/main.rs", "fn main() {\n    shop_api::serve();\n}"),
        ("api/VERSION", "1.1.0"),
        ("web/package.json", "{ \"name\": \"shop-web\", \"private\": true }"),
        ("web/src/app.ts", "export const app = createStorefront({ locale: \"en\" });"),
        ("web/VERSION", "1.7.0"),
        ("worker/pyproject.toml", "[project]\nname = \"shop-worker\""),
        ("worker/worker/main.py", "from worker import jobs\n\njobs.run_forever()"),
        ("worker/VERSION", "0.7.0"),
    ]),
    c(37, (10, 40), PRIYA, "feat(api): add order search by customer email", &[
        ("api/src/orders.rs", "pub fn search_by_email(db: &Db, email: &str) -> Vec<Order> { db.orders().by_email(email) }"),
    ]),
    c(37, (15, 5), MARCO, "fix(web): keep the cart badge in sync after login", &[
        ("web/src/cart.ts", "session.onLogin(() => cartBadge.refresh());"),
    ]),
    c(36, (11, 20), SAM, "feat(worker): retry failed invoice emails with backoff", &[
        ("worker/worker/invoices.py", "@retry(attempts=5, backoff=exponential(base=2))\ndef send_invoice(order): ..."),
    ]),
    release(36, (16, 45), DANA, "chore(api): release 1.2.0", &[("api/VERSION", "1.2.0")], "api-v1.2.0"),
    c(35, (9, 30), LENA, "docs(web): document the storefront feature flags", &[
        ("web/README.md", "## Feature flags\n\n`delivery_estimates`, `saved_carts`: see `src/flags.ts`."),
    ]),
    c(35, (14, 10), MARCO, "feat(web): show delivery estimates on the product page", &[
        ("web/src/product.ts", "render(<DeliveryEstimate sku={product.sku} />);"),
    ]),
    release(34, (10, 0), MARCO, "chore(web): release 1.8.0", &[("web/VERSION", "1.8.0")], "web-v1.8.0"),
    c(34, (13, 25), SAM, "fix(worker): do not double-send receipts on redelivery", &[
        ("worker/worker/receipts.py", "if outbox.already_sent(message.id):\n    return"),
    ]),
    release(33, (9, 50), SAM, "chore(worker): release 0.8.0", &[("worker/VERSION", "0.8.0")], "worker-v0.8.0"),
    c(32, (11, 15), PRIYA, "fix(api): return 404, not 500, for unknown order ids", &[
        ("api/src/orders.rs", "let order = db.orders().get(id).ok_or(ApiError::NotFound)?;"),
    ]),
    c(31, (10, 5), DANA, "perf(api): index orders by (customer_id, created_at)", &[
        ("api/migrations/0007_orders_customer_index.sql", "CREATE INDEX CONCURRENTLY orders_customer_created ON orders (customer_id, created_at);"),
    ]),
    c(31, (15, 40), LENA, "docs(api): describe pagination cursors in the API guide", &[
        ("api/docs/pagination.md", "# Pagination\n\nEvery list returns `next_cursor`; pass it back as `?cursor=`."),
    ]),
    release(30, (9, 20), PRIYA, "chore(api): release 1.3.0", &[("api/VERSION", "1.3.0")], "api-v1.3.0"),
    c(29, (11, 0), MARCO, "feat(web): saved carts for signed-in customers", &[
        ("web/src/cart.ts", "export const saveCart = (cart: Cart) => api.put(`/carts/${cart.owner}`, cart);"),
    ]),
    c(28, (14, 30), LENA, "fix(web): correct VAT rounding on the order summary", &[
        ("web/src/summary.ts", "const vat = roundHalfEven(net * rate, 2);"),
    ]),
    release(28, (16, 10), MARCO, "chore(web): release 1.9.0", &[("web/VERSION", "1.9.0")], "web-v1.9.0"),
    c(27, (10, 25), SAM, "feat(worker): nightly stock reconciliation job", &[
        ("worker/worker/stock.py", "@schedule(cron=\"0 2 * * *\")\ndef reconcile_stock(): ..."),
    ]),
    release(26, (9, 45), SAM, "chore(worker): release 0.9.0", &[("worker/VERSION", "0.9.0")], "worker-v0.9.0"),
    c(25, (13, 0), PRIYA, "feat(api): partial refunds for multi-item orders", &[
        ("api/src/refunds.rs", "pub fn refund_items(order: &Order, items: &[LineId]) -> Result<Refund, ApiError> { .. }"),
    ]),
    c(24, (10, 30), DANA, "fix(api): validate currency codes against ISO 4217", &[
        ("api/src/money.rs", "let currency = Currency::from_iso4217(code).ok_or(ApiError::BadCurrency)?;"),
    ]),
    c(24, (15, 55), MARCO, "chore(ci): move CI runners to the two-core pool", &[
        (".ci/pipeline.yml", "runners:\n  pool: two-core"),
    ]),
    release(23, (11, 10), PRIYA, "chore(api): release 1.4.0", &[("api/VERSION", "1.4.0")], "api-v1.4.0"),
    c(22, (9, 35), SAM, "fix(worker): close the SMTP connection after each batch", &[
        ("worker/worker/mailer.py", "with smtp_connection() as conn:\n    conn.send_batch(batch)"),
    ]),
    release(22, (14, 20), SAM, "chore(worker): release 0.9.1", &[("worker/VERSION", "0.9.1")], "worker-v0.9.1"),
    c(21, (10, 50), MARCO, "feat(web)!: move checkout to /checkout and drop the v1 pages\n\nBREAKING CHANGE: links to /checkout/v1 now answer 404; bookmarks and partner\nlinks must point at /checkout.", &[
        ("web/src/routes.ts", "routes.add(\"/checkout\", CheckoutPage); // /checkout/v1 removed"),
    ]),
    c(20, (13, 15), LENA, "docs(web): migration notes for the new checkout routes", &[
        ("web/docs/checkout-migration.md", "# Checkout migration\n\nReplace `/checkout/v1/*` links with `/checkout`."),
    ]),
    c(20, (16, 30), MARCO, "fix(web): redirect old basket links to the new checkout", &[
        ("web/src/routes.ts", "routes.redirect(\"/basket\", \"/checkout\");"),
    ]),
    release(19, (10, 0), MARCO, "chore(web): release 2.0.0", &[("web/VERSION", "2.0.0")], "web-v2.0.0"),
    c(18, (11, 40), DANA, "feat(api): webhooks for order status changes", &[
        ("api/src/webhooks.rs", "pub fn order_status_changed(order: &Order) -> WebhookEvent { .. }"),
    ]),
    c(17, (9, 55), PRIYA, "perf(api): stream large CSV exports instead of buffering", &[
        ("api/src/exports.rs", "Body::from_stream(rows.map(to_csv_line))"),
    ]),
    c(16, (14, 5), DANA, "fix(api): sign webhook payloads with the per-merchant key", &[
        ("api/src/webhooks.rs", "let signature = hmac_sha256(&merchant.webhook_key, &payload);"),
    ]),
    c(15, (10, 20), LENA, "docs(api): webhook signature verification examples", &[
        ("api/docs/webhooks.md", "# Verifying webhooks\n\nCompare `X-Shop-Signature` with HMAC-SHA256 of the raw body."),
    ]),
    release(14, (11, 30), PRIYA, "chore(api): release 1.5.0", &[("api/VERSION", "1.5.0")], "api-v1.5.0"),
    c(13, (9, 40), SAM, "feat(worker): export daily sales to the warehouse bucket", &[
        ("worker/worker/exports.py", "upload(f\"sales/{day:%Y-%m-%d}.parquet\", daily_sales(day))"),
    ]),
    c(12, (15, 10), SAM, "perf(worker): batch stock updates 500 at a time", &[
        ("worker/worker/stock.py", "for chunk in chunked(updates, 500):\n    db.bulk_update(chunk)"),
    ]),
    release(11, (10, 15), SAM, "chore(worker): release 0.10.0", &[("worker/VERSION", "0.10.0")], "worker-v0.10.0"),
    c(10, (13, 45), MARCO, "feat(web): order tracking page with live status", &[
        ("web/src/tracking.ts", "export const TrackingPage = () => useOrderStatus(orderId, { live: true });"),
    ]),
    c(9, (10, 30), LENA, "fix(web): trap focus inside the address dialog", &[
        ("web/src/address.ts", "dialog.trapFocus({ returnFocusOnClose: true });"),
    ]),
    release(8, (16, 0), MARCO, "chore(web): release 2.1.0", &[("web/VERSION", "2.1.0")], "web-v2.1.0"),
    c(7, (9, 25), DANA, "perf(api): share one database pool across request handlers", &[
        ("api/src/db.rs", "static POOL: OnceLock<Pool> = OnceLock::new(); // max 20 connections"),
    ]),
    c(6, (11, 50), PRIYA, "feat(api): search orders by SKU", &[
        ("api/src/orders.rs", "pub fn search_by_sku(db: &Db, sku: &Sku) -> Vec<Order> { db.orders().by_sku(sku) }"),
    ]),
    c(5, (14, 35), DANA, "fix(api): trim whitespace in coupon codes", &[
        ("api/src/coupons.rs", "let code = input.trim().to_uppercase();"),
    ]),
    release(4, (10, 10), PRIYA, "chore(api): release 1.6.0", &[("api/VERSION", "1.6.0")], "api-v1.6.0"),
    c(3, (11, 25), LENA, "docs: add the on-call runbook for checkout incidents", &[
        ("docs/runbooks/checkout.md", "# Checkout incidents\n\n1. Check the board. 2. Roll back the last release. 3. Tell #shop-status."),
    ]),
    c(2, (10, 40), SAM, "fix(worker): skip archived products in the stock job", &[
        ("worker/worker/stock.py", "products = [p for p in products if not p.archived]"),
    ]),
    c(2, (15, 0), MARCO, "feat(web): gift messages at checkout", &[
        ("web/src/checkout.ts", "form.add(new TextArea(\"gift_message\", { maxLength: 240 }));"),
    ]),
    c(1, (9, 30), DANA, "fix(api): return pooled connections when a request is cancelled", &[
        ("api/src/db.rs", "let conn = scopeguard::guard(POOL.get()?, |c| c.release());"),
    ]),
    c(1, (14, 15), LENA, "chore(ci): cache the cargo registry between jobs", &[
        (".ci/pipeline.yml", "cache:\n  - ~/.cargo/registry"),
    ]),
];

/// A service's release tags in version order, oldest first (from [`HISTORY`]).
pub fn release_tags(service: &str) -> Vec<&'static str> {
    let prefix = format!("{service}-v");
    HISTORY
        .iter()
        .filter_map(|c| c.tag)
        .filter(|t| t.starts_with(&prefix))
        .collect()
}

/// What runs in `env` when the demo starts: dev the newest good release, staging the one before,
/// prod the one before that.
pub fn starting_release(service: &str, env: &str) -> Option<&'static str> {
    let good: Vec<&str> = release_tags(service)
        .into_iter()
        .filter(|t| *t != BAD_RELEASE)
        .collect();
    let back = ENVIRONMENTS.iter().position(|e| *e == env)?;
    good.len()
        .checked_sub(1 + back)
        .and_then(|i| good.get(i).copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_breaking_change() {
        let breaking = HISTORY.iter().filter(|c| c.message.contains(")!:")).count();
        assert_eq!(breaking, 1);
    }

    #[test]
    fn starting_state_steps_back_one_release_per_environment() {
        assert_eq!(starting_release("api", "dev"), Some("api-v1.5.0"));
        assert_eq!(starting_release("api", "staging"), Some("api-v1.4.0"));
        assert_eq!(starting_release("api", "prod"), Some("api-v1.3.0"));
        assert_eq!(starting_release("worker", "dev"), Some("worker-v0.10.0"));
        assert_eq!(starting_release("web", "prod"), Some("web-v1.9.0"));
    }

    #[test]
    fn the_bad_release_is_the_newest_api_tag() {
        assert_eq!(release_tags("api").last(), Some(&BAD_RELEASE));
    }
}
