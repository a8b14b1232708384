//! The known answers themselves: each figure of the story (the parent module) worked out by hand,
//! then compared with what `domain::insights::compute` says.

use super::*;

#[test]
fn deployment_frequency_per_environment_day_and_week() {
    let i = whole_story();
    assert_eq!(i.env, "prod");
    assert_eq!(i.weeks.len(), 4);
    let prod = i.frequency.iter().find(|f| f.env == "prod").unwrap();
    // Successes in prod: 1.1.0 (03-04, W0), 1.2.1 (03-13, W1), 1.3.0 (03-18, W2), the
    // rollback to 1.2.1 (03-18, W2), 1.3.1 (03-23, W3) = 5, one a rollback. 1.2.0 failed.
    assert_eq!((prod.deployments, prod.rollbacks), (5, 1));
    assert_eq!(prod.weekly, vec![1, 1, 2, 1]);
    assert_eq!(prod.per_day, Some(5.0 / 28.0));
    assert_eq!(prod.per_week, Some(5.0 / 4.0));
    // dev and staging: one success per release, five releases, none failed or rolled back.
    let dev = i.frequency.iter().find(|f| f.env == "dev").unwrap();
    assert_eq!((dev.deployments, dev.weekly.clone()), (5, vec![1, 2, 1, 1]));
    assert_eq!(i.frequency.len(), 3);
}

#[test]
fn lead_time_ends_at_the_first_success_of_a_release_containing_the_commit() {
    let i = whole_story();
    // c0 ran before the period (in 1.0.0, the previous release): not counted.
    // c1: 03-01 09:00 → 1.1.0's success 03-04 12:10 = 3d 3h10m
    // c2: 03-02 09:00 → 03-04 12:10                  = 2d 3h10m
    // c3: 03-08 09:00 → 1.2.1's success 03-13 13:10  = 5d 4h10m (1.2.0 failed)
    // c4: 03-09 09:00 → 03-13 13:10                  = 4d 4h10m
    // c5: 03-10 09:00 → 03-13 13:10                  = 3d 4h10m
    // c6: 03-16 09:00 → 1.3.0's success 03-18 10:10  = 2d 1h10m (rolled back later; still
    //     its first deployment; 1.3.1 does not bring it again)
    // c7: 03-19 09:00 → 1.3.1's success 03-23 10:10  = 4d 1h10m
    let c1 = 3.0 * D + 3.0 * H + 10.0 * M;
    let c2 = 2.0 * D + 3.0 * H + 10.0 * M;
    let c3 = 5.0 * D + 4.0 * H + 10.0 * M;
    let c4 = 4.0 * D + 4.0 * H + 10.0 * M;
    let c5 = 3.0 * D + 4.0 * H + 10.0 * M;
    let c6 = 2.0 * D + H + 10.0 * M;
    let c7 = 4.0 * D + H + 10.0 * M;
    // Sorted: c6 < c2 < c1 < c5 < c7 < c4 < c3; the median of seven is the fourth, c5.
    let lt = &i.lead_time;
    assert_eq!(lt.spread.samples, 7);
    assert_eq!(lt.spread.median_secs, Some(c5));
    // Seven commits are fewer than the ten a 90th percentile needs.
    assert_eq!(lt.spread.p90_secs, None);
    assert_eq!(lt.spread.total_secs, c1 + c2 + c3 + c4 + c5 + c6 + c7);
    // Deployments that brought commits: 1.1.0, 1.2.1, 1.3.0, 1.3.1 (not the rollback).
    assert_eq!(lt.deployments, 4);
    assert_eq!(lt.unknown_releases, 0);
    // Per week: W0 {c1, c2} → (c2 + c1) / 2; W1 {c3, c4, c5} → c4; W2 {c6}; W3 {c7}.
    assert_eq!(
        lt.weekly_median_secs,
        vec![Some((c1 + c2) / 2.0), Some(c4), Some(c6), Some(c7)]
    );
}

#[test]
fn change_failure_rate_counts_the_failed_and_the_rolled_back() {
    let i = whole_story();
    let cf = &i.change_failure;
    // Deployments to prod requested in the period, rollbacks left out: 1.1.0, 1.2.0, 1.2.1,
    // 1.3.0, 1.3.1 = 5. Failed: 1.2.0. Rolled back: 1.3.0. Rate (1 + 1) / 5.
    assert_eq!((cf.deployments, cf.failed, cf.rolled_back), (5, 1, 1));
    assert_eq!(cf.rate, Some(2.0 / 5.0));
    // W0: 0 of 1; W1: 1.2.0 failed, 1.2.1 fine → 1 of 2; W2: 1 of 1; W3: 0 of 1.
    assert_eq!(
        cf.weekly,
        vec![Some(0.0), Some(1.0 / 2.0), Some(1.0), Some(0.0)]
    );
}

#[test]
fn time_to_restore_runs_across_the_freeze_and_through_a_rollback() {
    let i = whole_story();
    let r = &i.restore;
    // 1.2.0 failed 03-11 10:30 → 1.2.1 succeeded 03-13 13:10 (the freeze 03-11 12:00 → 03-13
    // 12:00 in between is not taken out) = 2d 2h40m.
    let across_freeze = 2.0 * D + 2.0 * H + 40.0 * M;
    // 1.3.0 succeeded 03-18 10:10, then rolled back; the rollback succeeded 11:05 = 55m.
    let rollback = 55.0 * M;
    assert_eq!((r.incidents, r.open, r.spread.samples), (2, 0, 2));
    // The median of two is their mean.
    assert_eq!(r.spread.median_secs, Some((across_freeze + rollback) / 2.0));
    assert_eq!(
        r.weekly_median_secs,
        vec![None, Some(across_freeze), Some(rollback), None]
    );
}

#[test]
fn waits_per_stage() {
    let i = whole_story();
    assert_eq!(i.stages.len(), 2);
    let dev_staging = &i.stages[0];
    assert_eq!(
        (dev_staging.from.as_str(), dev_staging.to.as_str()),
        ("dev", "staging")
    );
    // Dev success → staging request: 1.1.0 10:00 → 12:00 = 2h; 1.2.0 10:00 → 13:50 = 3h50m;
    // 1.2.1 09:00 → 09:50 = 50m; 1.3.0 09:00 → 09:50 = 50m; 1.3.1 09:00 → 10:50 = 1h50m.
    // Sorted: 50m, 50m, 1h50m, 2h, 3h50m: the median is 1h50m.
    assert_eq!(dev_staging.spread.samples, 5);
    assert_eq!(dev_staging.spread.median_secs, Some(H + 50.0 * M));
    assert_eq!(
        dev_staging.spread.total_secs,
        2.0 * H + (3.0 * H + 50.0 * M) + 50.0 * M + 50.0 * M + (H + 50.0 * M)
    );
    let staging_prod = &i.stages[1];
    // Staging success → prod request: 1.1.0 03-03 12:10 → 03-04 12:00 = 23h50m; 1.2.0 03-10
    // 14:00 → 03-11 10:00 = 20h; 1.2.1 03-12 10:00 → 03-13 13:00 = 27h; 1.3.0 03-17 10:00 →
    // 03-18 10:00 = 24h; 1.3.1 03-22 11:00 → 03-23 10:00 = 23h. The rollback is no promotion.
    // Sorted: 20h, 23h, 23h50m, 24h, 27h: the median is 23h50m.
    assert_eq!(staging_prod.spread.samples, 5);
    assert_eq!(staging_prod.spread.median_secs, Some(23.0 * H + 50.0 * M));
    assert_eq!(staging_prod.skipped, 0);
}

#[test]
fn waits_per_gate_kind() {
    let i = whole_story();
    let kind = |k: &str| i.gates.iter().find(|g| g.kind == k).unwrap();
    let kinds: Vec<&str> = i.gates.iter().map(|g| g.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["approval", "soak", "checklist", "freeze", "healthy"]
    );

    // Approval (1 needed, never the promoter alice, for the deployed commit), from the
    // staging success: 1.1.0 03-03 12:10 → bob 03-04 09:00 = 20h50m; 1.2.0 14:00 → 16:00 =
    // 2h; 1.2.1 10:00 → bob 10:30 = 30m (alice's 10:05 is her own); 1.3.0 10:00 → carol 15:00
    // = 5h (bob's was for another commit); 1.3.1 approved before its stage began = 0.
    let approval = kind("approval");
    let a = [20.0 * H + 50.0 * M, 2.0 * H, 30.0 * M, 5.0 * H, 0.0];
    assert_eq!((approval.promotions, approval.spread.samples), (5, 5));
    // Sorted: 0, 30m, 2h, 5h, 20h50m: the median is 2h; four of five were held at all.
    assert_eq!(approval.spread.median_secs, Some(2.0 * H));
    assert_eq!(approval.blocked, 4);
    assert_eq!(approval.spread.total_secs, a.iter().sum::<f64>());

    // Soak 1h: every stage lasted longer than an hour, so each promotion was held 1h.
    let soak = kind("soak");
    assert_eq!((soak.spread.samples, soak.spread.median_secs), (5, Some(H)));
    assert_eq!(soak.spread.total_secs, 5.0 * H);

    // Checklist (controls and backout required): 1.1.0 12:10 → backout 14:00 = 1h50m; 1.2.0
    // 14:00 → 15:30 = 1h30m; 1.2.1 10:00 → the override 11:00 = 1h; 1.3.0 10:00 → backout
    // ticked again 16:00 = 6h (the 11:30 tick was undone at 12:00); 1.3.1 never complete and
    // not overridden: not measured. Sorted: 1h, 1h30m, 1h50m, 6h → (1h30m + 1h50m) / 2.
    let checklist = kind("checklist");
    assert_eq!((checklist.promotions, checklist.spread.samples), (5, 4));
    assert_eq!((checklist.unmeasured, checklist.overridden), (1, 1));
    assert_eq!(
        checklist.spread.median_secs,
        Some(((H + 30.0 * M) + (H + 50.0 * M)) / 2.0)
    );
    assert_eq!(
        checklist.spread.total_secs,
        (H + 50.0 * M) + (H + 30.0 * M) + H + 6.0 * H
    );

    // Freeze 03-11 12:00 → 03-13 12:00: only 1.2.1's stage (03-12 10:00 → 03-13 13:00) lies
    // in it, from 03-12 10:00 to 03-13 12:00 = 26h. The others: 0. Median of 0,0,0,0,26h: 0.
    let freeze = kind("freeze");
    assert_eq!(freeze.spread.samples, 5);
    assert_eq!(freeze.spread.median_secs, Some(0.0));
    assert_eq!((freeze.blocked, freeze.spread.total_secs), (1, 26.0 * H));

    // Staging's `healthy` gate is not in the log: five promotions, none measured.
    let healthy = kind("healthy");
    assert_eq!(
        (
            healthy.promotions,
            healthy.spread.samples,
            healthy.unmeasured
        ),
        (5, 0, 5)
    );
    assert_eq!(healthy.spread.median_secs, None);
}

#[test]
fn an_empty_period_says_not_enough_data() {
    let config = config(prod_gates(), vec![freeze()]);
    let query = Query {
        period: Period::new(ts("2026-04-01T00:00:00Z"), ts("2026-04-08T00:00:00Z")),
        service: None,
        env: None,
    };
    for log in [story(), Log::default()] {
        let i = run(&log, &config, &query);
        let prod = i.frequency.iter().find(|f| f.env == "prod").unwrap();
        // No deployment in seven days: zero a day is a true answer, with zero under it.
        assert_eq!(
            (prod.deployments, prod.per_day, prod.weekly.clone()),
            (0, Some(0.0), vec![0])
        );
        assert_eq!(
            (i.lead_time.spread.samples, i.lead_time.spread.median_secs),
            (0, None)
        );
        assert_eq!(
            (i.change_failure.deployments, i.change_failure.rate),
            (0, None)
        );
        assert_eq!(
            (i.restore.incidents, i.restore.spread.median_secs),
            (0, None)
        );
        assert!(
            i.stages
                .iter()
                .all(|s| s.spread.samples == 0 && s.spread.median_secs.is_none())
        );
        assert!(i.gates.is_empty(), "no promotion, no gate kind measured");
    }
}

#[test]
fn a_service_and_an_environment_narrow_the_figures() {
    let config = config(prod_gates(), vec![freeze()]);
    let log = story();
    let other = Query {
        period: four_weeks(),
        service: Some("web"),
        env: None,
    };
    let i = run(&log, &config, &other);
    assert!(i.frequency.iter().all(|f| f.deployments == 0));
    assert_eq!(i.lead_time.spread.samples, 0);

    let staging = Query {
        period: four_weeks(),
        service: Some("api"),
        env: Some("staging"),
    };
    let i = run(&log, &config, &staging);
    assert_eq!(i.env, "staging");
    assert_eq!(i.frequency.len(), 1);
    assert_eq!(i.frequency[0].deployments, 5);
    // The stage into staging only; its one gate kind.
    assert_eq!(i.stages.len(), 1);
    assert_eq!(i.stages[0].to, "staging");
    let kinds: Vec<&str> = i.gates.iter().map(|g| g.kind.as_str()).collect();
    assert_eq!(kinds, ["healthy"]);
    // Nothing failed in staging.
    assert_eq!(
        (i.change_failure.deployments, i.change_failure.rate),
        (5, Some(0.0))
    );
    // Measured in staging: 1.1.0's staging deployment names no previous release, so all its
    // commits are new there, c0 included: 3 (c0, c1, c2) + 2 (c3, c4 with 1.2.0, which
    // succeeded in staging) + 1 (c5) + 1 (c6) + 1 (c7) = 8 commits.
    assert_eq!(i.lead_time.spread.samples, 8);
}

#[test]
fn time_outside_a_window_is_a_wait() {
    // Mon–Fri 09:00–17:00 UTC. 2026-03-06 is a Friday. A release soaked in staging from Friday
    // 16:00 and requested in prod on Monday 03-09 10:00 waited outside the window from Friday
    // 17:00 to Monday 09:00 = 64h.
    let window = Window {
        days: vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ],
        start: Time::constant(9, 0, 0, 0),
        end: Time::constant(17, 0, 0, 0),
        tz: TimeZone::UTC,
        tz_name: "UTC".into(),
    };
    let config = config(vec![gate(GateRule::Window(window))], Vec::new());
    let mut log = Log::default();
    deploy(
        &mut log,
        "api-v1.1.0",
        "staging",
        "2026-03-06T15:50:00Z",
        "2026-03-06T16:00:00Z",
    );
    deploy(
        &mut log,
        "api-v1.1.0",
        "prod",
        "2026-03-09T10:00:00Z",
        "2026-03-09T10:10:00Z",
    );
    let query = Query {
        period: four_weeks(),
        service: None,
        env: None,
    };
    let i = run(&log, &config, &query);
    let w = i.gates.iter().find(|g| g.kind == "window").unwrap();
    assert_eq!((w.spread.samples, w.spread.total_secs), (1, 64.0 * H));
}
