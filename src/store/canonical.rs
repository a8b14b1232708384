//! RFC 8785 (JSON Canonicalization Scheme): the one byte form of a JSON value that hashes and
//! signatures are computed over, so two writers agree on an event's hash whatever key order or
//! number spelling their JSON library chose.

use std::fmt::Write as _;

use serde_json::{Number, Value};

/// The RFC 8785 canonical form of `value`: object keys sorted by their UTF-16 code units, no
/// whitespace, the RFC's string escaping, numbers as ECMAScript renders them (integers exactly;
/// other numbers by the shortest round-trip digits, ES6 exponent format).
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Appends the canonical form of `value` to `out`.
pub(crate) fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            // RFC 8785 §3.2.3: compare keys as arrays of UTF-16 code units, not as UTF-8 bytes
            // (the two orders differ for characters above U+FFFF versus U+E000..U+FFFF). The
            // map iterates in UTF-8 byte order, which is the same order for keys without a
            // character from U+E000 on (lead byte 0xEE or above): nearly every key.
            if map.keys().all(|key| key.bytes().all(|b| b < 0xEE)) {
                write_entries(out, map.iter());
            } else {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
                write_entries(out, entries.into_iter());
            }
            out.push('}');
        }
    }
}

/// An object's entries, in the order given, as `"key":value` separated by commas.
fn write_entries<'a>(out: &mut String, entries: impl Iterator<Item = (&'a String, &'a Value)>) {
    for (i, (key, item)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, key);
        out.push(':');
        write_value(out, item);
    }
}

/// RFC 8785 §3.2.2.2: only `"`, `\` and C0 controls are escaped; the five controls with a short
/// form use it, the others `\u00xx` in lowercase hex. Everything else is written as is.
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    // Runs of bytes that need no escape are copied whole. Every escaped character is ASCII, and
    // an ASCII byte never occurs inside a multi-byte UTF-8 sequence, so the cuts fall between
    // characters.
    let mut run = 0;
    for (i, &byte) in s.as_bytes().iter().enumerate() {
        let escaped = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        if escaped.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escaped);
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

fn write_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_u64() {
        let _ = write!(out, "{i}");
    } else if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(f) = n.as_f64() {
        write_f64(out, f);
    }
}

/// ECMAScript's Number::toString (ES2019 §7.1.12.1) for a finite double. ECMAScript wants the
/// shortest digits that round-trip, the closest of those, ties to even. serde_json's float
/// formatting (ryu) produces exactly those digits (Rust's own `{:e}` breaks ties upwards:
/// `1424953923781206.25` becomes `…06.3` where ECMAScript writes `…06.2`); only the placement of
/// the decimal point and the exponent spelling differ, and those are redone here.
fn write_f64(out: &mut String, f: f64) {
    if f == 0.0 {
        // Both zeros, as ECMAScript prints -0 as "0".
        out.push('0');
        return;
    }
    if f.is_sign_negative() {
        out.push('-');
    }
    let Some(shortest) = Number::from_f64(f.abs()).map(|n| n.to_string()) else {
        // Not finite: serde_json values never hold these.
        out.push_str("null");
        return;
    };
    let (mantissa, exponent) = shortest
        .split_once(['e', 'E'])
        .unwrap_or((shortest.as_str(), "0"));
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let exponent: i32 = exponent.trim_start_matches('+').parse().unwrap_or(0);
    // value = 0.digits × 10^n
    let mut n = i32::try_from(int.len()).unwrap_or(i32::MAX) + exponent;
    let mut digits = format!("{int}{frac}");
    let leading = digits.len() - digits.trim_start_matches('0').len();
    digits.drain(..leading);
    n -= i32::try_from(leading).unwrap_or(0);
    digits.truncate(digits.trim_end_matches('0').len());
    let k = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n(
            '0',
            usize::try_from(n - k).unwrap_or(0),
        ));
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or(0));
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', usize::try_from(-n).unwrap_or(0)));
        out.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let sign = if n - 1 < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{}", (n - 1).abs());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(json: &str) -> String {
        canonical_json(&serde_json::from_str(json).expect("test input is valid JSON"))
    }

    fn es(bits: u64) -> String {
        let mut out = String::new();
        write_f64(&mut out, f64::from_bits(bits));
        out
    }

    #[test]
    fn rfc_8785_section_3_2_2_example_is_reproduced() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        assert_eq!(
            canon(input),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn keys_sort_by_utf16_code_units_as_in_rfc_8785_section_3_2_3() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        assert_eq!(
            canon(input),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\
             \"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\
             \"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
    }

    #[test]
    fn numbers_render_as_ecmascript_does_for_the_rfc_appendix_b_samples() {
        let samples: &[(u64, &str)] = &[
            (0x0000_0000_0000_0000, "0"),
            (0x8000_0000_0000_0000, "0"),
            (0x0000_0000_0000_0001, "5e-324"),
            (0x8000_0000_0000_0001, "-5e-324"),
            (0x7fef_ffff_ffff_ffff, "1.7976931348623157e+308"),
            (0xffef_ffff_ffff_ffff, "-1.7976931348623157e+308"),
            (0x4340_0000_0000_0000, "9007199254740992"),
            (0xc340_0000_0000_0000, "-9007199254740992"),
            (0x4430_0000_0000_0000, "295147905179352830000"),
            (0x44b5_2d02_c7e1_4af5, "9.999999999999997e+22"),
            (0x44b5_2d02_c7e1_4af6, "1e+23"),
            (0x44b5_2d02_c7e1_4af7, "1.0000000000000001e+23"),
            (0x444b_1ae4_d6e2_ef4e, "999999999999999700000"),
            (0x444b_1ae4_d6e2_ef4f, "999999999999999900000"),
            (0x444b_1ae4_d6e2_ef50, "1e+21"),
            (0x3eb0_c6f7_a0b5_ed8c, "9.999999999999997e-7"),
            (0x3eb0_c6f7_a0b5_ed8d, "0.000001"),
            (0x41b3_de43_5555_5553, "333333333.3333332"),
            (0x41b3_de43_5555_5554, "333333333.33333325"),
            (0x41b3_de43_5555_5555, "333333333.3333333"),
            (0x41b3_de43_5555_5556, "333333333.3333334"),
            (0x41b3_de43_5555_5557, "333333333.33333343"),
            (0xbecb_f647_612f_3696, "-0.0000033333333333333333"),
            (0x4314_3ff3_c1cb_0959, "1424953923781206.2"),
        ];
        for (bits, expected) in samples {
            assert_eq!(es(*bits), *expected, "bits {bits:#018x}");
        }
    }

    #[test]
    fn integers_are_written_exactly_even_beyond_double_precision() {
        assert_eq!(
            canon("[18446744073709551615,-9223372036854775808,0,-1]"),
            "[18446744073709551615,-9223372036854775808,0,-1]"
        );
    }

    #[test]
    fn every_float_written_by_serde_json_reads_back_to_the_same_canonical_form() {
        // Verify re-parses stored lines, so parsing must be exact (serde_json `float_roundtrip`).
        for bits in [
            0x41b3_de43_5555_5555_u64,
            0x4314_3ff3_c1cb_0959,
            0x3eb0_c6f7_a0b5_ed8c,
            1,
            0x7fef_ffff_ffff_ffff,
        ] {
            let value = serde_json::json!([f64::from_bits(bits)]);
            let reread: Value = serde_json::from_str(&value.to_string()).expect("valid JSON");
            assert_eq!(reread, value, "bits {bits:#018x}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_finite_double_renders_as_a_number_that_reads_back_to_it(bits in proptest::num::u64::ANY) {
            let f = f64::from_bits(bits);
            proptest::prop_assume!(f.is_finite());
            let back: f64 = es(bits).parse().expect("a decimal number");
            proptest::prop_assert_eq!(back.to_bits(), if f == 0.0 { 0 } else { bits });
        }
    }

    /// RFC 8785 §3.2.2.2 character by character: what `write_string` copies in runs.
    fn escaped_char_by_char(s: &str) -> String {
        let mut out = String::from('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if u32::from(c) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    proptest::proptest! {
        #[test]
        fn strings_are_escaped_as_character_by_character(s in "(?s).{0,40}") {
            let mut out = String::new();
            write_string(&mut out, &s);
            proptest::prop_assert_eq!(out, escaped_char_by_char(&s));
        }

        #[test]
        fn objects_are_written_in_utf16_key_order(keys in proptest::collection::vec("(?s).{0,6}", 0..6)) {
            let map: serde_json::Map<String, Value> =
                keys.iter().map(|k| (k.clone(), Value::Null)).collect();
            let mut sorted: Vec<&String> = map.keys().collect();
            sorted.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            let expected: Vec<String> = sorted.iter().map(|k| escaped_char_by_char(k) + ":null").collect();
            proptest::prop_assert_eq!(
                canonical_json(&Value::Object(map)),
                format!("{{{}}}", expected.join(","))
            );
        }
    }

    #[test]
    fn integral_floats_lose_their_fraction() {
        assert_eq!(
            canon("[1.0,-2.50,1e2,1e21,1e-7,123e-9]"),
            "[1,-2.5,100,1e+21,1e-7,1.23e-7]"
        );
    }

    #[test]
    fn controls_are_escaped_in_lowercase_and_nothing_else_is() {
        let value = Value::String("\u{1}\u{1f}\u{7f}/<é\u{2028}".to_string());
        assert_eq!(
            canonical_json(&value),
            "\"\\u0001\\u001f\u{7f}/<é\u{2028}\""
        );
    }

    #[test]
    fn nested_objects_are_sorted_and_whitespace_is_dropped() {
        assert_eq!(
            canon(r#"{ "b" : [ { "z":1, "a":{"y":null,"x":true} } ], "a" : "" }"#),
            r#"{"a":"","b":[{"a":{"x":true,"y":null},"z":1}]}"#
        );
    }
}
