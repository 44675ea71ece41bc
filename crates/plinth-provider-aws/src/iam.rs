//! IAM: roles, inline role policies, policy attachments, instance profiles.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::ResourceType;

pub(crate) fn register(m: &mut BTreeMap<String, Arc<dyn ResourceType>>) {
    let _ = m;
}
