//! The fixed demo catalog the REST API serves: a few products, channels and currencies shaped
//! like Akeneo's standard (`external_api`) format. Fields are declared in Akeneo's key order.

use serde::Serialize;
use serde_json::{json, Value};

/// One product value: `{"locale":…,"scope":…,"data":…}`.
#[derive(Debug, Clone, Serialize)]
pub struct ProductValue {
    /// Locale code, or null for non-localizable attributes.
    pub locale: Option<&'static str>,
    /// Channel code, or null for non-scopable attributes.
    pub scope: Option<&'static str>,
    /// The data.
    pub data: Value,
}

/// A product as `GET /api/rest/v1/products/{code}` returns it (2.x/3.x shape).
#[derive(Debug, Clone, Serialize)]
pub struct Product {
    /// Identifier (the `sku` attribute).
    pub identifier: &'static str,
    /// Family code.
    pub family: &'static str,
    /// Parent product model code.
    pub parent: Option<&'static str>,
    /// Group codes.
    pub groups: Vec<&'static str>,
    /// Category codes.
    pub categories: Vec<&'static str>,
    /// Enabled status.
    pub enabled: bool,
    /// Values by attribute code.
    pub values: Ordered<Vec<ProductValue>>,
    /// Creation date (ISO 8601).
    pub created: &'static str,
    /// Last update date (ISO 8601).
    pub updated: &'static str,
    /// Associations by association type code.
    pub associations: Value,
}

/// A channel (`code, currencies, locales, category_tree, conversion_units, labels`).
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    /// Code.
    pub code: &'static str,
    /// Activated currency codes.
    pub currencies: Vec<&'static str>,
    /// Activated locale codes.
    pub locales: Vec<&'static str>,
    /// Code of the root category.
    pub category_tree: &'static str,
    /// Attribute code → measure unit.
    pub conversion_units: Ordered<&'static str>,
    /// Locale → label.
    pub labels: Ordered<&'static str>,
}

/// A currency (`code, enabled`).
#[derive(Debug, Clone, Serialize)]
pub struct Currency {
    /// ISO 4217 code.
    pub code: &'static str,
    /// Enabled in the PIM.
    pub enabled: bool,
}

/// A JSON object whose keys keep their order (serde_json's own map sorts them).
#[derive(Debug, Clone)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

fn ordered<T: Clone>(pairs: &[(&str, T)]) -> Ordered<T> {
    Ordered(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// The products, sorted by identifier as the offset pagination returns them.
pub fn products() -> Vec<Product> {
    // (identifier, family, name, categories, price EUR, price USD, created, updated)
    #[allow(clippy::type_complexity)]
    const ROWS: &[(&str, &str, &str, &[&str], &str, &str, &str)] = &[
        (
            "1111111113",
            "clothing",
            "Black jeans",
            &["master_men_pants_jeans"],
            "69.00",
            "79.00",
            "2019-03-12T10:14:51+00:00",
        ),
        (
            "1111111119",
            "clothing",
            "Blue jeans",
            &["master_men_pants_jeans"],
            "69.00",
            "79.00",
            "2019-03-12T10:14:52+00:00",
        ),
        (
            "1111111171",
            "accessories",
            "Bag",
            &["master_accessories_bags", "print_accessories"],
            "39.00",
            "45.00",
            "2019-03-12T10:14:53+00:00",
        ),
        (
            "1111111172",
            "accessories",
            "Belt",
            &["master_accessories_belts"],
            "25.00",
            "29.00",
            "2019-03-12T10:14:53+00:00",
        ),
        (
            "1111111240",
            "shoes",
            "Canvas sneakers",
            &["master_men_shoes"],
            "59.00",
            "65.00",
            "2019-03-12T10:14:54+00:00",
        ),
        (
            "1111111292",
            "clothing",
            "Cotton T-shirt",
            &["master_men_blazers_tshirts"],
            "19.00",
            "22.00",
            "2019-03-12T10:14:55+00:00",
        ),
        (
            "1111111304",
            "accessories",
            "Leather wallet",
            &["master_accessories_wallets"],
            "45.00",
            "52.00",
            "2019-03-12T10:14:55+00:00",
        ),
        (
            "1111111305",
            "accessories",
            "Sunglasses",
            &["master_accessories_sunglasses"],
            "89.00",
            "99.00",
            "2019-03-12T10:14:56+00:00",
        ),
        (
            "1111111308",
            "clothing",
            "Wool sweater",
            &["master_women_sweaters"],
            "79.00",
            "89.00",
            "2019-03-12T10:14:57+00:00",
        ),
        (
            "1111111311",
            "shoes",
            "Running shoes",
            &["master_women_shoes"],
            "99.00",
            "109.00",
            "2019-03-12T10:14:58+00:00",
        ),
        (
            "1111111315",
            "clothing",
            "Rain jacket",
            &["master_women_coats"],
            "129.00",
            "139.00",
            "2019-03-12T10:14:58+00:00",
        ),
        (
            "1111111346",
            "accessories",
            "Scarf",
            &["master_accessories_scarves"],
            "29.00",
            "32.00",
            "2019-03-12T10:14:59+00:00",
        ),
    ];
    ROWS.iter()
        .enumerate()
        .map(
            |(i, &(identifier, family, name, categories, eur, usd, created))| {
                let plain = |data: Value| ProductValue {
                    locale: None,
                    scope: None,
                    data,
                };
                let values = Ordered(vec![
                    ("sku".to_string(), vec![plain(json!(identifier))]),
                    ("name".to_string(), vec![plain(json!(name))]),
                    (
                        "description".to_string(),
                        vec![ProductValue {
                            locale: Some("en_US"),
                            scope: Some("ecommerce"),
                            data: json!(format!("{name}, from the spring collection.")),
                        }],
                    ),
                    (
                        "price".to_string(),
                        vec![plain(json!([
                            {"amount": eur, "currency": "EUR"},
                            {"amount": usd, "currency": "USD"},
                        ]))],
                    ),
                ]);
                Product {
                    identifier,
                    family,
                    parent: None,
                    groups: vec![],
                    categories: categories.to_vec(),
                    enabled: i % 5 != 4,
                    values,
                    created,
                    updated: created,
                    associations: json!({
                        "X_SELL": {"groups": [], "products": [], "product_models": []}
                    }),
                }
            },
        )
        .collect()
}

/// The channels, sorted by code.
pub fn channels() -> Vec<Channel> {
    let labels = |l: &'static str| ordered(&[("de_DE", l), ("en_US", l), ("fr_FR", l)]);
    vec![
        Channel {
            code: "ecommerce",
            currencies: vec!["USD", "EUR"],
            locales: vec!["de_DE", "en_US", "fr_FR"],
            category_tree: "master",
            conversion_units: ordered(&[("weight", "KILOGRAM")]),
            labels: labels("Ecommerce"),
        },
        Channel {
            code: "mobile",
            currencies: vec!["USD", "EUR"],
            locales: vec!["de_DE", "en_US", "fr_FR"],
            category_tree: "master",
            conversion_units: ordered(&[("weight", "GRAM")]),
            labels: labels("Mobile"),
        },
        Channel {
            code: "print",
            currencies: vec!["USD", "EUR"],
            locales: vec!["de_DE", "en_US", "fr_FR"],
            category_tree: "master",
            conversion_units: ordered(&[("weight", "KILOGRAM")]),
            labels: labels("Print"),
        },
    ]
}

/// The currencies, sorted by code; EUR and USD enabled as in the demo catalog.
pub fn currencies() -> Vec<Currency> {
    [
        "AUD", "CAD", "CHF", "CNY", "DKK", "EUR", "GBP", "JPY", "NOK", "NZD", "SEK", "USD",
    ]
    .into_iter()
    .map(|code| Currency {
        code,
        enabled: matches!(code, "EUR" | "USD"),
    })
    .collect()
}

/// `(route name, path, methods)` of the 3.x API, as the root endpoint lists them.
pub const ROUTES: &[(&str, &str, &str)] = &[
    ("pim_api_category_list", "/api/rest/v1/categories", "GET"),
    (
        "pim_api_category_get",
        "/api/rest/v1/categories/{code}",
        "GET",
    ),
    ("pim_api_category_create", "/api/rest/v1/categories", "POST"),
    (
        "pim_api_category_partial_update",
        "/api/rest/v1/categories/{code}",
        "PATCH",
    ),
    (
        "pim_api_category_partial_update_list",
        "/api/rest/v1/categories",
        "PATCH",
    ),
    ("pim_api_family_list", "/api/rest/v1/families", "GET"),
    ("pim_api_family_get", "/api/rest/v1/families/{code}", "GET"),
    ("pim_api_family_create", "/api/rest/v1/families", "POST"),
    (
        "pim_api_family_partial_update",
        "/api/rest/v1/families/{code}",
        "PATCH",
    ),
    (
        "pim_api_family_partial_update_list",
        "/api/rest/v1/families",
        "PATCH",
    ),
    ("pim_api_attribute_list", "/api/rest/v1/attributes", "GET"),
    (
        "pim_api_attribute_get",
        "/api/rest/v1/attributes/{code}",
        "GET",
    ),
    (
        "pim_api_attribute_create",
        "/api/rest/v1/attributes",
        "POST",
    ),
    (
        "pim_api_attribute_partial_update",
        "/api/rest/v1/attributes/{code}",
        "PATCH",
    ),
    (
        "pim_api_attribute_partial_update_list",
        "/api/rest/v1/attributes",
        "PATCH",
    ),
    (
        "pim_api_attribute_option_list",
        "/api/rest/v1/attributes/{attributeCode}/options",
        "GET",
    ),
    (
        "pim_api_attribute_option_get",
        "/api/rest/v1/attributes/{attributeCode}/options/{code}",
        "GET",
    ),
    ("pim_api_channel_list", "/api/rest/v1/channels", "GET"),
    ("pim_api_channel_get", "/api/rest/v1/channels/{code}", "GET"),
    ("pim_api_channel_create", "/api/rest/v1/channels", "POST"),
    (
        "pim_api_channel_partial_update",
        "/api/rest/v1/channels/{code}",
        "PATCH",
    ),
    ("pim_api_locale_list", "/api/rest/v1/locales", "GET"),
    ("pim_api_locale_get", "/api/rest/v1/locales/{code}", "GET"),
    ("pim_api_currency_list", "/api/rest/v1/currencies", "GET"),
    (
        "pim_api_currency_get",
        "/api/rest/v1/currencies/{code}",
        "GET",
    ),
    ("pim_api_product_list", "/api/rest/v1/products", "GET"),
    ("pim_api_product_get", "/api/rest/v1/products/{code}", "GET"),
    ("pim_api_product_create", "/api/rest/v1/products", "POST"),
    (
        "pim_api_product_partial_update",
        "/api/rest/v1/products/{code}",
        "PATCH",
    ),
    (
        "pim_api_product_partial_update_list",
        "/api/rest/v1/products",
        "PATCH",
    ),
    (
        "pim_api_product_delete",
        "/api/rest/v1/products/{code}",
        "DELETE",
    ),
    (
        "pim_api_product_model_list",
        "/api/rest/v1/product-models",
        "GET",
    ),
    (
        "pim_api_product_model_get",
        "/api/rest/v1/product-models/{code}",
        "GET",
    ),
    ("pim_api_media_file_list", "/api/rest/v1/media-files", "GET"),
    (
        "pim_api_media_file_get",
        "/api/rest/v1/media-files/{code}",
        "GET",
    ),
    (
        "pim_api_media_file_download",
        "/api/rest/v1/media-files/{code}/download",
        "GET",
    ),
    (
        "pim_api_media_file_create",
        "/api/rest/v1/media-files",
        "POST",
    ),
    (
        "pim_api_association_type_list",
        "/api/rest/v1/association-types",
        "GET",
    ),
    (
        "pim_api_association_type_get",
        "/api/rest/v1/association-types/{code}",
        "GET",
    ),
    (
        "pim_api_measure_family_list",
        "/api/rest/v1/measure-families",
        "GET",
    ),
    (
        "pim_api_measure_family_get",
        "/api/rest/v1/measure-families/{code}",
        "GET",
    ),
];
