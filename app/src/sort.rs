//! Sort orders of the report tables (shared by the server, which sorts, and the browser,
//! which asks for an order when a column header is clicked).

use crate::filter::Field;
use serde::{Deserialize, Serialize};

/// The columns a report can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortField {
    /// Date (the default).
    #[default]
    Date,
    /// Request ID.
    RequestId,
    /// User (display name).
    User,
    /// Application (display name).
    Application,
    /// Status.
    Status,
    /// IP address.
    IpAddress,
    /// Location (city).
    Location,
    /// Resource (display name).
    Resource,
    /// Resource ID.
    ResourceId,
    /// Service principal (or managed identity) name.
    ServicePrincipal,
}

impl SortField {
    /// The field whose column orders rows (ties are broken by date, then Request ID).
    pub fn field(self) -> Field {
        match self {
            SortField::Date => Field::CreatedDateTime,
            SortField::RequestId => Field::RequestId,
            SortField::User => Field::UserDisplayName,
            SortField::Application => Field::AppDisplayName,
            SortField::Status => Field::Status,
            SortField::IpAddress => Field::IpAddress,
            SortField::Location => Field::City,
            SortField::Resource => Field::ResourceDisplayName,
            SortField::ResourceId => Field::ResourceId,
            SortField::ServicePrincipal => Field::ServicePrincipalName,
        }
    }
}

/// An order: a field and a direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    /// The column.
    pub field: SortField,
    /// Newest / largest first.
    pub descending: bool,
}

impl Default for Sort {
    /// Newest first.
    fn default() -> Self {
        Sort {
            field: SortField::Date,
            descending: true,
        }
    }
}

impl SortField {
    /// Every field, for the URL form.
    pub const ALL: [SortField; 10] = [
        SortField::Date,
        SortField::RequestId,
        SortField::User,
        SortField::Application,
        SortField::Status,
        SortField::IpAddress,
        SortField::Location,
        SortField::Resource,
        SortField::ResourceId,
        SortField::ServicePrincipal,
    ];

    /// The URL name.
    pub fn key(self) -> &'static str {
        match self {
            SortField::Date => "date",
            SortField::RequestId => "requestId",
            SortField::User => "user",
            SortField::Application => "app",
            SortField::Status => "status",
            SortField::IpAddress => "ip",
            SortField::Location => "location",
            SortField::Resource => "resource",
            SortField::ResourceId => "resourceId",
            SortField::ServicePrincipal => "servicePrincipal",
        }
    }
}

impl Sort {
    /// The URL form: `date-desc`, `user-asc`…
    pub fn to_url(self) -> String {
        format!(
            "{}-{}",
            self.field.key(),
            if self.descending { "desc" } else { "asc" }
        )
    }

    /// Reads the URL form; anything else is `None`.
    pub fn from_url(text: &str) -> Option<Sort> {
        let (key, dir) = text.rsplit_once('-')?;
        let field = SortField::ALL.into_iter().find(|f| f.key() == key)?;
        let descending = match dir {
            "desc" => true,
            "asc" => false,
            _ => return None,
        };
        Some(Sort { field, descending })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sort_survives_its_url_form() {
        for field in SortField::ALL {
            for descending in [true, false] {
                let sort = Sort { field, descending };
                assert_eq!(Sort::from_url(&sort.to_url()), Some(sort));
            }
        }
        assert_eq!(Sort::from_url("user-sideways"), None);
        assert_eq!(Sort::from_url("nothing-asc"), None);
    }
}
