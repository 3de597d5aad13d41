//! Page objects, one per screen and generation.
