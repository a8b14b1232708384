//! The shape of a serde type, read from its own `Deserialize` impl: a deserializer that answers
//! every request with a sample value and records what was asked (a string, an optional value, a
//! struct with these fields …). Whether a field is required is found by asking again with that
//! one field left out: the derive fails with `missing field` unless it is optional or defaulted.
//! So the schema follows `raw.rs` as written, `deny_unknown_fields`, renames and defaults
//! included, and cannot drift from it.

use serde::de::value::{BorrowedStrDeserializer, Error};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

/// `toml::Spanned<T>` deserializes as a struct of this name (serde_spanned's private protocol).
const SPANNED: &str = "$__serde_spanned_private_Spanned";
const SPANNED_VALUE: &str = "$__serde_spanned_private_value";

/// What a type accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Bool,
    Integer,
    Float,
    String,
    /// Anything: `IgnoredAny` (read by hand elsewhere) or an untyped value.
    Any,
    Optional(Box<Shape>),
    Array(Box<Shape>),
    /// A table with free keys.
    Map(Box<Shape>),
    Struct {
        name: &'static str,
        fields: Vec<Field>,
    },
    /// A string from a fixed list (a unit-variant enum).
    Enum(Vec<&'static str>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub shape: Shape,
    pub required: bool,
}

/// The shape of `T`.
pub fn shape<T: DeserializeOwned>() -> Result<Shape, String> {
    let mut out = Shape::Any;
    T::deserialize(Tracer {
        out: &mut out,
        path: String::new(),
        omit: None,
    })
    .map_err(|e| format!("cannot trace the configuration's types: {e}"))?;
    mark_required::<T>(&mut out, "");
    Ok(out)
}

/// Sets `required` on every struct field under `shape` (found at `path`).
fn mark_required<T: DeserializeOwned>(shape: &mut Shape, path: &str) {
    match shape {
        Shape::Struct { fields, .. } => {
            for f in fields {
                let here = format!("{path}.{}", f.name);
                let mut scratch = Shape::Any;
                f.required = T::deserialize(Tracer {
                    out: &mut scratch,
                    path: String::new(),
                    omit: Some(&here),
                })
                .is_err();
                mark_required::<T>(&mut f.shape, &here);
            }
        }
        Shape::Optional(inner) => mark_required::<T>(inner, path),
        Shape::Array(inner) => mark_required::<T>(inner, &format!("{path}[]")),
        Shape::Map(inner) => mark_required::<T>(inner, &format!("{path}{{}}")),
        _ => {}
    }
}

struct Tracer<'a> {
    out: &'a mut Shape,
    path: String,
    omit: Option<&'a str>,
}

macro_rules! leaf {
    ($($method:ident => $shape:expr, $visit:ident($value:expr);)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            *self.out = $shape;
            visitor.$visit($value)
        })*
    };
}

impl<'de> de::Deserializer<'de> for Tracer<'_> {
    type Error = Error;

    leaf! {
        deserialize_bool => Shape::Bool, visit_bool(false);
        deserialize_i8 => Shape::Integer, visit_i8(0);
        deserialize_i16 => Shape::Integer, visit_i16(0);
        deserialize_i32 => Shape::Integer, visit_i32(0);
        deserialize_i64 => Shape::Integer, visit_i64(0);
        deserialize_u8 => Shape::Integer, visit_u8(0);
        deserialize_u16 => Shape::Integer, visit_u16(0);
        deserialize_u32 => Shape::Integer, visit_u32(0);
        deserialize_u64 => Shape::Integer, visit_u64(0);
        deserialize_f32 => Shape::Float, visit_f32(0.0);
        deserialize_f64 => Shape::Float, visit_f64(0.0);
        deserialize_char => Shape::String, visit_char('x');
        deserialize_str => Shape::String, visit_str("");
        deserialize_string => Shape::String, visit_string(String::new());
        deserialize_identifier => Shape::String, visit_str("");
        deserialize_bytes => Shape::Any, visit_bytes(&[]);
        deserialize_byte_buf => Shape::Any, visit_byte_buf(Vec::new());
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        *self.out = Shape::Any;
        visitor.visit_unit()
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        *self.out = Shape::Any;
        visitor.visit_unit()
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        *self.out = Shape::Any;
        visitor.visit_unit()
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut inner = Shape::Any;
        let value = visitor.visit_some(Tracer {
            out: &mut inner,
            path: self.path,
            omit: self.omit,
        })?;
        *self.out = Shape::Optional(Box::new(inner));
        Ok(value)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        *self.out = Shape::Any;
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut inner = Shape::Any;
        let value = visitor.visit_seq(One {
            out: Some(&mut inner),
            path: format!("{}[]", self.path),
            omit: self.omit,
        })?;
        *self.out = Shape::Array(Box::new(inner));
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut inner = Shape::Any;
        let value = visitor.visit_map(OneEntry {
            out: Some(&mut inner),
            key_given: false,
            path: format!("{}{{}}", self.path),
            omit: self.omit,
        })?;
        *self.out = Shape::Map(Box::new(inner));
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let mut traced = Vec::new();
        let spanned = name == SPANNED;
        let value = visitor.visit_map(Fields {
            names: fields.iter(),
            current: None,
            traced: &mut traced,
            path: self.path.clone(),
            omit: if spanned { None } else { self.omit },
            inner_omit: self.omit,
            spanned,
        })?;
        *self.out = if spanned {
            traced
                .into_iter()
                .find(|f| f.name == SPANNED_VALUE)
                .map_or(Shape::Any, |f| f.shape)
        } else {
            Shape::Struct {
                name,
                fields: traced,
            }
        };
        Ok(value)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        *self.out = Shape::Enum(variants.to_vec());
        let first = variants
            .first()
            .ok_or_else(|| de::Error::custom("an enum without variants"))?;
        visitor.visit_enum(Unit(first))
    }
}

/// A sequence of one traced element.
struct One<'a> {
    out: Option<&'a mut Shape>,
    path: String,
    omit: Option<&'a str>,
}

impl<'de> SeqAccess<'de> for One<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(out) = self.out.take() else {
            return Ok(None);
        };
        seed.deserialize(Tracer {
            out,
            path: self.path.clone(),
            omit: self.omit,
        })
        .map(Some)
    }
}

/// A map of one entry, its value traced.
struct OneEntry<'a> {
    out: Option<&'a mut Shape>,
    key_given: bool,
    path: String,
    omit: Option<&'a str>,
}

impl<'de> MapAccess<'de> for OneEntry<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.key_given || self.out.is_none() {
            return Ok(None);
        }
        self.key_given = true;
        seed.deserialize(BorrowedStrDeserializer::new("key"))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let out = self
            .out
            .take()
            .ok_or_else(|| de::Error::custom("value asked twice"))?;
        seed.deserialize(Tracer {
            out,
            path: self.path.clone(),
            omit: self.omit,
        })
    }
}

/// A struct's fields, each traced (the one being left out skipped).
struct Fields<'a, 'o> {
    names: std::slice::Iter<'static, &'static str>,
    current: Option<&'static str>,
    traced: &'a mut Vec<Field>,
    path: String,
    omit: Option<&'o str>,
    /// What deeper levels leave out (a spanned value's own fields keep the struct's path).
    inner_omit: Option<&'o str>,
    spanned: bool,
}

impl<'de> MapAccess<'de> for Fields<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for name in self.names.by_ref() {
            let here = format!("{}.{name}", self.path);
            if self.omit == Some(here.as_str()) {
                continue;
            }
            self.current = Some(name);
            return seed
                .deserialize(BorrowedStrDeserializer::new(name))
                .map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let name = self
            .current
            .take()
            .ok_or_else(|| de::Error::custom("value before key"))?;
        let mut shape = Shape::Any;
        let path = if self.spanned {
            self.path.clone()
        } else {
            format!("{}.{name}", self.path)
        };
        let value = if self.spanned && name != SPANNED_VALUE {
            seed.deserialize(0u64.into_deserializer())?
        } else {
            seed.deserialize(Tracer {
                out: &mut shape,
                path,
                omit: self.inner_omit,
            })?
        };
        self.traced.push(Field {
            name,
            shape,
            required: false,
        });
        Ok(value)
    }
}

/// The first variant of an enum, as a unit variant.
struct Unit(&'static str);

impl<'de> EnumAccess<'de> for Unit {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let value = seed.deserialize(BorrowedStrDeserializer::<Error>::new(self.0))?;
        Ok((value, self))
    }
}

impl<'de> VariantAccess<'de> for Unit {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, Error> {
        Err(de::Error::custom("only unit variants are traced"))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, Error> {
        Err(de::Error::custom("only unit variants are traced"))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Error> {
        Err(de::Error::custom("only unit variants are traced"))
    }
}
