//! YAML request bodies (`application/apply-patch+yaml`) as JSON.

use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

pub fn to_json(text: &str) -> Result<Value, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    match docs.as_slice() {
        [one] => convert(one),
        [] => Err("empty document".into()),
        _ => Err("more than one document".into()),
    }
}

fn convert(y: &Yaml) -> Result<Value, String> {
    Ok(match y {
        Yaml::Null | Yaml::BadValue => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(r) => serde_json::from_str(r).map_err(|_| format!("invalid number {r}"))?,
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(xs) => Value::Array(xs.iter().map(convert).collect::<Result<_, _>>()?),
        Yaml::Hash(h) => {
            let mut m = Map::new();
            for (k, v) in h {
                let k = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    _ => return Err("unsupported map key".into()),
                };
                m.insert(k, convert(v)?);
            }
            Value::Object(m)
        }
        Yaml::Alias(_) => return Err("aliases are not supported".into()),
    })
}
