//! The fixed vocabulary of the demo tenant: names, applications, resources, places, devices,
//! error codes. Application and resource IDs are Microsoft's real first-party IDs where the
//! app is a Microsoft one, so the demo looks like what administrators see every day.

/// `(display name, app ID)` of first-party applications users sign in to.
pub const FIRST_PARTY_APPS: &[(&str, &str)] = &[
    ("Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"),
    ("Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264"),
    (
        "Microsoft Teams Web Client",
        "5e3ce6c0-2b1f-4285-8d4b-75ee78787346",
    ),
    (
        "Office 365 Exchange Online",
        "00000002-0000-0ff1-ce00-000000000000",
    ),
    (
        "Office 365 SharePoint Online",
        "00000003-0000-0ff1-ce00-000000000000",
    ),
    ("OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca"),
    ("Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c"),
    ("Outlook Mobile", "27922004-5251-4030-b22d-91ecd9a37ea4"),
    (
        "OneDrive SyncEngine",
        "ab9b8c07-8f02-4f72-87fa-80105867a763",
    ),
    (
        "Microsoft Authentication Broker",
        "29d9ed98-a469-4536-ade2-f981bc1d605e",
    ),
    (
        "Microsoft Azure CLI",
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    ),
    (
        "Microsoft Azure PowerShell",
        "1950a258-227b-4e31-a9cf-717495945fc2",
    ),
    ("Graph Explorer", "de8bc8b5-d9f9-48b1-a8ad-b748da725064"),
    ("Windows Sign In", "38aa3b87-a06d-4817-b275-7a316988d93b"),
    ("Microsoft Edge", "ecd6b820-32c2-49b6-98a6-444530e5a77a"),
    ("Power BI Desktop", "7f67af8a-fedc-4b08-8b4e-37c4d127b6cf"),
    ("Microsoft Power BI", "871c010f-5e61-4fb1-83ac-98610a7e9110"),
    ("Visual Studio", "872cd9fa-d31f-45e0-9eab-6e460a02d1f1"),
    ("Visual Studio Code", "aebc6443-996d-45c2-90f0-388ff96faa56"),
    ("My Apps", "2793995e-0a7d-40d7-bd35-6968ba142197"),
    ("My Signins", "19db86c3-b2b9-44cc-b339-36da233a3be2"),
    ("My Profile", "8c59ead7-d703-4a27-9e55-c96a0054c8d2"),
    (
        "Microsoft Intune Company Portal",
        "9ba1a5c7-f17a-4de9-a1f1-6178c8d51223",
    ),
    ("Microsoft Planner", "09abbdfd-ed23-44ee-a2d9-a627aa1c90f3"),
    ("Microsoft To-Do", "22098786-6e16-43cc-a27d-191a01a1e3b5"),
    (
        "Microsoft Whiteboard",
        "57336123-6e14-4acc-8dcf-287b6088aa28",
    ),
    ("Azure DevOps", "499b84ac-1321-427f-aa17-267ca6975798"),
    (
        "Microsoft Stream Portal",
        "cf53fce8-def6-4aeb-8d30-b158e7b1cf83",
    ),
    ("Microsoft Forms", "c9a559d2-7aab-4f13-a6ed-e7e9c52aec87"),
    (
        "Microsoft 365 Security and Compliance Center",
        "80ccca67-54bd-44ab-8625-4b79c4dc7775",
    ),
];

/// Names of the tenant's own line-of-business applications (IDs derived from the seed).
pub const LOB_APPS: &[&str] = &[
    "Contoso Expenses",
    "Contoso HR Portal",
    "Contoso Intranet",
    "Timesheets",
    "Travel Booking",
    "Contoso CRM",
    "Field Service Mobile",
    "Payroll Self-Service",
    "Learning Hub",
    "Procurement",
    "Contoso Wiki",
    "Help Desk",
    "Vendor Portal",
    "Benefits Enrollment",
    "Asset Tracker",
    "Contoso Analytics",
    "Contract Manager",
    "Recruiting",
    "Facilities Requests",
    "Legal Hold",
    "Sales Dashboard",
    "Partner Center Sync",
    "Inventory",
    "Quality Audits",
    "Shift Planner",
    "Contoso Status Page",
    "Design Library",
    "Code Review Portal",
    "Release Notes",
    "Board Portal",
    "Event Registration",
    "Customer Feedback",
    "Contoso Docs",
    "Investor Relations",
    "Badge Access",
    "Parking",
    "IT Self-Service",
    "Visitor Check-in",
    "Fleet Manager",
    "Energy Monitor",
    "Contoso Maps",
    "Contract Signing",
    "Quote Builder",
    "Order Desk",
    "Returns Portal",
    "Warehouse Scanner",
    "Lab Notebook",
    "Safety Reports",
    "Grants Manager",
    "Mentoring",
    "Knowledge Base",
    "Employee Directory",
    "Org Chart",
    "Survey Tool",
    "Idea Box",
    "Press Room",
    "Brand Assets",
    "Translation Hub",
    "Print Center",
    "Meeting Rooms",
    "Expense Approvals",
    "Budget Planner",
    "Forecasting",
    "Audit Trail Viewer",
    "Data Catalog",
    "ML Workbench",
    "Feature Flags",
    "Incident Tracker",
    "On-call Roster",
    "Runbook Library",
];

/// `(display name, resource ID)` of the resources tokens are issued for.
pub const RESOURCES: &[(&str, &str)] = &[
    ("Microsoft Graph", "00000003-0000-0000-c000-000000000000"),
    (
        "Office 365 Exchange Online",
        "00000002-0000-0ff1-ce00-000000000000",
    ),
    (
        "Office 365 SharePoint Online",
        "00000003-0000-0ff1-ce00-000000000000",
    ),
    (
        "Windows Azure Service Management API",
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
    ),
    (
        "Windows Azure Active Directory",
        "00000002-0000-0000-c000-000000000000",
    ),
    (
        "Microsoft Teams Services",
        "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
    ),
    ("Azure Key Vault", "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"),
    ("Azure Storage", "e406a681-f3d4-42a8-90b6-c2b029497af1"),
    ("Azure SQL Database", "022907d3-0f1b-48f7-badc-1ba6abab6d66"),
    ("Log Analytics API", "ca7f3f0b-7d91-482c-8e09-c5d840d0eac5"),
    ("Azure DevOps", "499b84ac-1321-427f-aa17-267ca6975798"),
    ("Power BI Service", "00000009-0000-0000-c000-000000000000"),
];

/// The classic Microsoft 365 demo people, first so that `demo` always has them (the README
/// names them as end users).
pub const FIXED_PEOPLE: &[(&str, &str)] = &[
    ("Adele", "Vance"),
    ("Alex", "Wilber"),
    ("Megan", "Bowen"),
    ("Lee", "Gu"),
    ("Nestor", "Wilke"),
    ("Isaiah", "Langer"),
    ("Joni", "Sherman"),
    ("Lidia", "Holloway"),
    ("Lynne", "Robbins"),
    ("Miriam", "Graham"),
    ("Patti", "Fernandez"),
    ("Pradeep", "Gupta"),
    ("Diego", "Siciliani"),
    ("Grady", "Archie"),
    ("Henrietta", "Mueller"),
    ("Johanna", "Lorenz"),
];

/// First names for the rest of the users.
pub const FIRST_NAMES: &[&str] = &[
    "Aaliyah",
    "Aarav",
    "Abigail",
    "Adam",
    "Adrian",
    "Aiko",
    "Aisha",
    "Akira",
    "Alejandro",
    "Alice",
    "Amara",
    "Amelia",
    "Ana",
    "Andrea",
    "Andrew",
    "Anika",
    "Anna",
    "Ari",
    "Arjun",
    "Astrid",
    "Ben",
    "Bianca",
    "Bjorn",
    "Camila",
    "Carlos",
    "Carmen",
    "Charlotte",
    "Chen",
    "Chloe",
    "Daniel",
    "David",
    "Dmitri",
    "Elena",
    "Eli",
    "Emma",
    "Emeka",
    "Erik",
    "Fatima",
    "Felix",
    "Fiona",
    "Gabriel",
    "Grace",
    "Hana",
    "Hannah",
    "Hiro",
    "Ian",
    "Ines",
    "Isabel",
    "Ivan",
    "Jack",
    "James",
    "Jana",
    "Javier",
    "Jin",
    "Jonas",
    "Jose",
    "Julia",
    "Kai",
    "Kamala",
    "Karin",
    "Kenji",
    "Kofi",
    "Lara",
    "Laura",
    "Leila",
    "Leo",
    "Liam",
    "Lina",
    "Lucas",
    "Luis",
    "Maya",
    "Mateo",
    "Mei",
    "Mia",
    "Mohammed",
    "Nadia",
    "Nia",
    "Noah",
    "Nora",
    "Olga",
    "Omar",
    "Oscar",
    "Pablo",
    "Paula",
    "Priya",
    "Rafael",
    "Rahul",
    "Rosa",
    "Sakura",
    "Samir",
    "Sara",
    "Sean",
    "Sofia",
    "Tariq",
    "Thomas",
    "Tomas",
    "Valentina",
    "Wei",
    "Yara",
    "Zoe",
];

/// Last names for the rest of the users.
pub const LAST_NAMES: &[&str] = &[
    "Abe", "Adeyemi", "Alvarez", "Andersen", "Bauer", "Becker", "Bianchi", "Brown", "Castro",
    "Chen", "Cohen", "Costa", "Da Silva", "Dubois", "Eriksson", "Evans", "Fischer", "Garcia",
    "Gonzalez", "Hansen", "Haddad", "Hughes", "Ivanova", "Jensen", "Johnson", "Kaur", "Khan",
    "Kim", "Kowalski", "Kumar", "Larsen", "Lee", "Lopez", "Martin", "Meyer", "Moreau", "Murphy",
    "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Park", "Patel", "Perez", "Petrov", "Quinn",
    "Rossi", "Sato", "Schmidt", "Singh", "Smith", "Suzuki", "Tanaka", "Taylor", "Torres",
    "Virtanen", "Wagner", "Wang", "Yilmaz",
];

/// A place sign-ins come from: city, state, country code, latitude, longitude, AS number,
/// and the first two octets of its addresses.
pub struct Place {
    /// City.
    pub city: &'static str,
    /// State or region.
    pub state: &'static str,
    /// Two-letter country code.
    pub country: &'static str,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Autonomous system number of the local ISP.
    pub asn: i64,
    /// The first two octets of local addresses.
    pub prefix: (u8, u8),
}

macro_rules! place {
    ($city:literal, $state:literal, $cc:literal, $lat:literal, $lon:literal, $asn:literal, $a:literal, $b:literal) => {
        Place {
            city: $city,
            state: $state,
            country: $cc,
            lat: $lat,
            lon: $lon,
            asn: $asn,
            prefix: ($a, $b),
        }
    };
}

/// Where the tenant's people work (the first ones carry most of the staff).
pub const OFFICES: &[Place] = &[
    place!(
        "Redmond",
        "Washington",
        "US",
        47.6740,
        -122.1215,
        8075,
        131,
        107
    ),
    place!(
        "Seattle",
        "Washington",
        "US",
        47.6062,
        -122.3321,
        7922,
        73,
        53
    ),
    place!("New York", "New York", "US", 40.7128, -74.0060, 701, 72, 229),
    place!("Chicago", "Illinois", "US", 41.8781, -87.6298, 7018, 99, 48),
    place!("Austin", "Texas", "US", 30.2672, -97.7431, 11427, 70, 112),
    place!("Toronto", "Ontario", "CA", 43.6532, -79.3832, 577, 142, 114),
    place!("London", "England", "GB", 51.5072, -0.1276, 2856, 86, 128),
    place!("Dublin", "Dublin", "IE", 53.3498, -6.2603, 5466, 89, 101),
    place!(
        "Amsterdam",
        "North Holland",
        "NL",
        52.3676,
        4.9041,
        1136,
        84,
        241
    ),
    place!("Berlin", "Berlin", "DE", 52.5200, 13.4050, 3320, 87, 123),
    place!(
        "Paris",
        "Ile-de-France",
        "FR",
        48.8566,
        2.3522,
        3215,
        90,
        84
    ),
    place!(
        "Stockholm",
        "Stockholm County",
        "SE",
        59.3293,
        18.0686,
        3301,
        81,
        227
    ),
    place!("Tel Aviv", "Tel Aviv", "IL", 32.0853, 34.7818, 8551, 79, 176),
    place!(
        "Bengaluru",
        "Karnataka",
        "IN",
        12.9716,
        77.5946,
        24560,
        49,
        207
    ),
    place!(
        "Singapore",
        "Central Singapore",
        "SG",
        1.3521,
        103.8198,
        4773,
        116,
        86
    ),
    place!("Tokyo", "Tokyo", "JP", 35.6762, 139.6503, 2516, 126, 74),
    place!(
        "Sydney",
        "New South Wales",
        "AU",
        -33.8688,
        151.2093,
        1221,
        110,
        142
    ),
    place!(
        "Melbourne",
        "Victoria",
        "AU",
        -37.8136,
        144.9631,
        1221,
        124,
        168
    ),
    place!(
        "Sao Paulo",
        "Sao Paulo",
        "BR",
        -23.5505,
        -46.6333,
        28573,
        177,
        68
    ),
    place!(
        "Mexico City",
        "Ciudad de Mexico",
        "MX",
        19.4326,
        -99.1332,
        8151,
        187,
        189
    ),
];

/// Places that password-spray and token-theft attempts come from.
pub const HOSTILE: &[Place] = &[
    place!("Moscow", "Moscow", "RU", 55.7558, 37.6173, 12389, 95, 165),
    place!("Lagos", "Lagos", "NG", 6.5244, 3.3792, 37148, 105, 112),
    place!(
        "Ho Chi Minh City",
        "Ho Chi Minh",
        "VN",
        10.8231,
        106.6297,
        7552,
        113,
        161
    ),
    place!(
        "Sao Paulo",
        "Sao Paulo",
        "BR",
        -23.5505,
        -46.6333,
        28573,
        189,
        45
    ),
    place!(
        "Bucharest",
        "Bucuresti",
        "RO",
        44.4268,
        26.1025,
        8708,
        86,
        120
    ),
];

/// Azure regions service principals and managed identities run in: `(region name, octets)`.
pub const AZURE_REGIONS: &[(&str, (u8, u8))] = &[
    ("westus2", (20, 42)),
    ("eastus", (20, 81)),
    ("northeurope", (20, 107)),
    ("westeurope", (20, 238)),
    ("southeastasia", (20, 195)),
];

/// `(operating system, browser, user agent)` of the devices people use; weights follow.
pub const DEVICES: &[(&str, &str, &str)] = &[
    ("Windows10", "Edge 131.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),
    ("Windows10", "Chrome 131.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    ("Windows10", "Rich Client 5.2.1.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; WebView/3.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19045"),
    ("MacOs", "Safari 18.1", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"),
    ("MacOs", "Chrome 131.0.0", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    ("Ios 18.1", "Mobile Safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"),
    ("Ios 18.1", "Rich Client 4.8.0", "Outlook-iOS/2.0"),
    ("Android 14", "Chrome Mobile 131.0.0", "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"),
    ("Linux", "Firefox 133.0", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
    ("Windows10", "Firefox 133.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"),
];

/// How often each device shows up, in [`DEVICES`] order.
pub const DEVICE_WEIGHTS: &[u32] = &[34, 16, 14, 8, 4, 8, 6, 6, 2, 2];

/// Conditional Access policies of the demo tenant: `(name, grant controls, report-only)`.
pub const POLICIES: &[(&str, &[&str], bool)] = &[
    ("Require MFA for administrators", &["Mfa"], false),
    ("Require MFA outside trusted locations", &["Mfa"], false),
    ("Block legacy authentication", &["Block"], false),
    (
        "Require compliant device for Exchange Online",
        &["RequireCompliantDevice"],
        false,
    ),
    ("Require MFA for Azure management", &["Mfa"], false),
    ("Sign-in risk: require MFA (report-only)", &["Mfa"], true),
    (
        "Block access from hostile countries (report-only)",
        &["Block"],
        true,
    ),
];

/// Names of the tenant's service principals (automation, integrations).
pub const SERVICE_PRINCIPALS: &[&str] = &[
    "contoso-backup-job",
    "ci-pipeline-prod",
    "ci-pipeline-staging",
    "invoice-sync",
    "hr-feed-import",
    "Datadog integration",
    "ServiceNow connector",
    "Terraform deployer",
    "GitHub Actions OIDC",
    "report-exporter",
    "Splunk add-on",
    "Veeam backup",
    "Okta provisioning",
    "Zscaler connector",
    "crm-nightly-etl",
    "license-reporter",
    "teams-bot-helpdesk",
    "mail-archiver",
    "sharepoint-migrator",
    "power-automate-flows",
    "k8s-external-dns",
    "cert-manager",
    "grafana-azure-monitor",
    "sentinel-playbooks",
    "defender-api-client",
    "payroll-sftp-bridge",
    "Workday inbound",
    "Salesforce SSO sync",
    "Jira cloud sync",
    "Slack directory sync",
    "azure-cost-exporter",
    "log-shipper",
    "dns-updater",
    "webhook-relay",
    "build-cache-cleaner",
    "security-scanner",
    "compliance-reporter",
    "access-reviewer-bot",
];

/// Names of the tenant's managed identities (Azure resources).
pub const MANAGED_IDENTITIES: &[(&str, &str)] = &[
    ("vm-web-01", "Microsoft.Compute/virtualMachines"),
    ("vm-web-02", "Microsoft.Compute/virtualMachines"),
    ("vm-batch-01", "Microsoft.Compute/virtualMachines"),
    ("func-orders", "Microsoft.Web/sites"),
    ("func-invoices", "Microsoft.Web/sites"),
    ("func-notifications", "Microsoft.Web/sites"),
    ("app-portal-prod", "Microsoft.Web/sites"),
    ("app-portal-staging", "Microsoft.Web/sites"),
    (
        "aks-prod-agentpool",
        "Microsoft.ContainerService/managedClusters",
    ),
    (
        "aks-dev-agentpool",
        "Microsoft.ContainerService/managedClusters",
    ),
    ("logic-approvals", "Microsoft.Logic/workflows"),
    ("adf-warehouse", "Microsoft.DataFactory/factories"),
    ("synapse-analytics", "Microsoft.Synapse/workspaces"),
    (
        "automation-runbooks",
        "Microsoft.Automation/automationAccounts",
    ),
    (
        "id-shared-keyvault-reader",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
    ),
    (
        "id-storage-writer",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
    ),
    (
        "id-sql-reader",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
    ),
    ("ca-worker-queue", "Microsoft.App/containerApps"),
    ("ca-api-gateway", "Microsoft.App/containerApps"),
    (
        "vmss-render-farm",
        "Microsoft.Compute/virtualMachineScaleSets",
    ),
    ("apim-prod", "Microsoft.ApiManagement/service"),
    ("sql-ledger", "Microsoft.Sql/servers"),
    ("eventgrid-dispatch", "Microsoft.EventGrid/topics"),
    (
        "stream-analytics-iot",
        "Microsoft.StreamAnalytics/streamingjobs",
    ),
];
