//! Browser layer: everything that touches WebDriver.
