//! encoding functions.

use super::Registry;

pub(super) fn register(r: &mut Registry) {
    let _ = r;
}
