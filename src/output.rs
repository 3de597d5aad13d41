//! Output formats (JSON, dotenv, Postman environment) and atomic 0600 file writing.
