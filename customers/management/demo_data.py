"""The raw material of `manage.py seed_demo`: a car dealer's catalogue and the names, places and
numbers its customers are made of.

Our own lists rather than Faker: Faker is a test dependency only, and its output changes between
releases, which would make "the same seed gives the same data" untrue after an upgrade.
E-mail addresses use the reserved example domains (RFC 2606) so that no demo e-mail can reach a
real person.
"""

from customers.models import InvolvementLevel

# code, name in English, name in German, involvement, default warranty (months)
CATEGORIES = [
    ("new-cars", "New cars", "Neuwagen", InvolvementLevel.HIGH, 24),
    ("used-cars", "Used cars", "Gebrauchtwagen", InvolvementLevel.HIGH, 12),
    ("tyres", "Tyres", "Reifen", InvolvementLevel.LOW, 0),
    ("services", "Inspection & maintenance", "Inspektion & Wartung", InvolvementLevel.LOW, 0),
    ("accessories", "Accessories", "Zubehör", InvolvementLevel.MEDIUM, 12),
    ("insurance", "Insurance", "Versicherungen", InvolvementLevel.MEDIUM, 0),
    ("financing", "Financing", "Finanzierung", InvolvementLevel.HIGH, 0),
]
# The vehicle categories and their default yearly distance (customers.service_history.mileage).
VEHICLE_YEARLY_KM = {"new-cars": 15000, "used-cars": 15000}
# The category whose presence means "the demo catalogue is there" (idempotence).
MARKER_CATEGORY = "new-cars"

# category code: [(sku, name in English, name in German, list price)]; a model name is the
# same in both.
PRODUCTS = {
    "new-cars": [
        ("NC-VW-GOLF", "VW Golf 1.5 eTSI Life", "VW Golf 1.5 eTSI Life", "33490.00"),
        ("NC-VW-ID4", "VW ID.4 Pro", "VW ID.4 Pro", "47900.00"),
        ("NC-VW-TIGUAN", "VW Tiguan 2.0 TDI Elegance", "VW Tiguan 2.0 TDI Elegance", "49850.00"),
        ("NC-BMW-320D", "BMW 320d Touring", "BMW 320d Touring", "52800.00"),
        ("NC-BMW-X3", "BMW X3 xDrive20d", "BMW X3 xDrive20d", "61900.00"),
        (
            "NC-SKODA-OCTAVIA",
            "Škoda Octavia Combi 2.0 TDI Style",
            "Škoda Octavia Combi 2.0 TDI Style",
            "38450.00",
        ),
        ("NC-SKODA-ENYAQ", "Škoda Enyaq 85", "Škoda Enyaq 85", "48900.00"),
        ("NC-AUDI-A4", "Audi A4 Avant 40 TDI", "Audi A4 Avant 40 TDI", "51200.00"),
        ("NC-MB-C200", "Mercedes-Benz C 200", "Mercedes-Benz C 200", "50600.00"),
        ("NC-SEAT-IBIZA", "Seat Ibiza 1.0 TSI", "Seat Ibiza 1.0 TSI", "19990.00"),
    ],
    "used-cars": [
        (
            "UC-VW-PASSAT-21",
            "VW Passat Variant, used (2021)",
            "VW Passat Variant, gebraucht (2021)",
            "24900.00",
        ),
        ("UC-BMW-118I-20", "BMW 118i, used (2020)", "BMW 118i, gebraucht (2020)", "19800.00"),
        (
            "UC-SKODA-FABIA-19",
            "Škoda Fabia, used (2019)",
            "Škoda Fabia, gebraucht (2019)",
            "11490.00",
        ),
        (
            "UC-AUDI-Q5-20",
            "Audi Q5 40 TDI, used (2020)",
            "Audi Q5 40 TDI, gebraucht (2020)",
            "32900.00",
        ),
        ("UC-OPEL-CORSA-18", "Opel Corsa, used (2018)", "Opel Corsa, gebraucht (2018)", "9990.00"),
        (
            "UC-MB-A180-21",
            "Mercedes-Benz A 180, used (2021)",
            "Mercedes-Benz A 180, gebraucht (2021)",
            "23450.00",
        ),
    ],
    "tyres": [
        (
            "TY-WINTER-16",
            "Winter tyres set 205/55 R16",
            "Winterreifen-Satz 205/55 R16",
            "560.00",
        ),
        (
            "TY-WINTER-18",
            "Winter tyres set 225/45 R18",
            "Winterreifen-Satz 225/45 R18",
            "890.00",
        ),
        (
            "TY-SUMMER-16",
            "Summer tyres set 205/55 R16",
            "Sommerreifen-Satz 205/55 R16",
            "520.00",
        ),
        (
            "TY-SUMMER-18",
            "Summer tyres set 225/45 R18",
            "Sommerreifen-Satz 225/45 R18",
            "840.00",
        ),
        (
            "TY-ALLSEASON-17",
            "All-season tyres set 215/55 R17",
            "Ganzjahresreifen-Satz 215/55 R17",
            "720.00",
        ),
        ("TY-CHANGE", "Tyre change and balancing", "Reifenwechsel mit Auswuchten", "79.00"),
        ("TY-STORAGE", "Tyre storage, one season", "Reifeneinlagerung, eine Saison", "49.00"),
    ],
    "services": [
        ("SV-INSPECTION", "Inspection", "Inspektion", "349.00"),
        ("SV-OIL", "Oil service", "Ölservice", "189.00"),
        (
            "SV-HU-AU",
            "Main inspection and emissions test (HU/AU)",
            "Hauptuntersuchung und Abgasuntersuchung (HU/AU)",
            "139.00",
        ),
        ("SV-BRAKES-FRONT", "Brake pads, front axle", "Bremsbeläge, Vorderachse", "290.00"),
        ("SV-AIRCON", "Air-conditioning service", "Klimaservice", "119.00"),
    ],
    "accessories": [
        ("AC-ROOFBOX", "Roof box 460 l", "Dachbox 460 l", "649.00"),
        ("AC-TOWBAR", "Detachable tow bar", "Abnehmbare Anhängerkupplung", "1190.00"),
        ("AC-FLOORMATS", "All-weather floor mats", "Allwetter-Fußmatten", "89.00"),
        (
            "AC-BIKERACK",
            "Bike carrier for the tow bar",
            "Fahrradträger für die Anhängerkupplung",
            "549.00",
        ),
        ("AC-CHILDSEAT", "Child seat i-Size", "Kindersitz i-Size", "329.00"),
    ],
    "insurance": [
        (
            "IN-KFZ-HAFTPFLICHT",
            "Motor third-party liability, 1 year",
            "Kfz-Haftpflicht, 1 Jahr",
            "420.00",
        ),
        ("IN-VOLLKASKO", "Comprehensive car insurance, 1 year", "Vollkasko, 1 Jahr", "980.00"),
        ("IN-TEILKASKO", "Partial cover, 1 year", "Teilkasko, 1 Jahr", "310.00"),
        ("IN-GAP", "GAP insurance", "GAP-Versicherung", "290.00"),
    ],
    "financing": [
        (
            "FI-LOAN-48",
            "Car loan, 48 months (arrangement fee)",
            "Autokredit, 48 Monate (Bearbeitungsgebühr)",
            "299.00",
        ),
        (
            "FI-LOAN-60",
            "Car loan, 60 months (arrangement fee)",
            "Autokredit, 60 Monate (Bearbeitungsgebühr)",
            "299.00",
        ),
        (
            "FI-BALLOON-36",
            "Balloon financing, 36 months (arrangement fee)",
            "Ballonfinanzierung, 36 Monate (Bearbeitungsgebühr)",
            "299.00",
        ),
        (
            "FI-LEASING-36",
            "Leasing, 36 months / 10,000 km (arrangement fee)",
            "Leasing, 36 Monate / 10.000 km (Bearbeitungsgebühr)",
            "349.00",
        ),
    ],
}

# The world manufacturer identifier that opens the VIN of each make's cars.
VIN_PREFIXES = {
    "VW": "WVW",
    "BMW": "WBA",
    "ŠKODA": "TMB",
    "AUDI": "WAU",
    "MERCEDES-BENZ": "W1K",
    "SEAT": "VSS",
    "OPEL": "W0L",
}
VIN_CHARACTERS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q

CANCELLATION_REASONS = [
    "Customer withdrew within the cooling-off period",
    "Financing was not approved",
    "Delivery time too long for the customer",
    "Customer bought a different model instead",
]

GERMAN_MALE = [
    "Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Alexander", "Tobias",
    "Florian", "Matthias", "Daniel", "Sebastian", "Jürgen", "Klaus", "Wolfgang", "Peter",
    "Johannes", "Maximilian", "Lukas", "Felix", "Jonas", "Simon", "Georg", "Franz", "Josef",
    "Lorenz", "Benedikt", "Dominik", "Philipp", "Moritz", "Günther", "Helmut", "Bernd", "Uwe",
    "Rainer", "Manfred", "Jörg", "Niklas", "Leon", "Elias", "Mehmet", "Ivan", "Marko",
]  # fmt: skip
GERMAN_FEMALE = [
    "Sabine", "Andrea", "Claudia", "Stefanie", "Julia", "Katharina", "Anna", "Lena", "Laura",
    "Sarah", "Christina", "Monika", "Petra", "Birgit", "Ursula", "Elisabeth", "Theresa",
    "Magdalena", "Johanna", "Sophie", "Marie", "Franziska", "Verena", "Barbara", "Susanne",
    "Anja", "Nicole", "Carina", "Lisa", "Hannah", "Gisela", "Renate", "Brigitte",
    "Karin", "Ingrid", "Lea", "Mia", "Emilia", "Ayşe", "Jelena", "Ana",
]  # fmt: skip
GERMAN_LAST = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz",
    "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
    "Krause", "Meier", "Lehmann", "Huber", "Mayer", "Maier", "Gruber", "Hofer", "Pichler",
    "Steiner", "Moser", "Leitner", "Berger", "Eder", "Fuchs", "Winkler", "Brunner", "Lechner",
    "Egger", "Reiter", "Wimmer", "Aigner", "Auer", "Haas", "Schuster", "Kaiser", "Graf",
    "Wallner", "Ebner", "Koller", "Lang", "Baumgartner", "Schwaiger", "Obermaier", "Brandl",
    "Strobl", "Seidl", "Kern", "Vogl", "Wieser", "Weiß", "Hübner", "Jäger", "Schäfer", "Böhm",
    "Götz", "König", "Krämer", "Öztürk", "Yılmaz", "Kaya", "Novak", "Horvat", "Kovačević",
    "Petrović", "Nowak", "Dvořák", "Popescu", "Nguyen", "Straßer", "Großmann", "Weißenberger",
]  # fmt: skip
ENGLISH_MALE = [
    "James", "John", "Robert", "Michael", "David", "William", "Richard", "Thomas", "Daniel",
    "Matthew", "Oliver", "Harry", "George", "Jack", "Samuel", "Liam", "Ethan", "Patrick",
]  # fmt: skip
ENGLISH_FEMALE = [
    "Emily", "Sarah", "Jessica", "Emma", "Olivia", "Sophie", "Charlotte", "Hannah", "Amelia",
    "Grace", "Chloe", "Lucy", "Rachel", "Laura", "Kate", "Megan", "Isabella", "Ava",
]  # fmt: skip
ENGLISH_LAST = [
    "Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes",
    "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke", "Jackson", "Turner", "O'Brien",
    "Murphy", "Kelly", "Campbell", "Anderson", "Miller", "Moore", "Martin", "Baker", "Cooper",
]  # fmt: skip

COMPANY_TRADES = [
    "Bau", "Elektrotechnik", "Haustechnik", "Logistik", "Immobilien", "Gartenbau", "Transporte",
    "Steuerberatung", "Bäckerei", "Metzgerei", "Zahnarztpraxis", "Malerbetrieb", "IT-Service",
    "Spedition", "Dachdeckerei", "Pflegedienst", "Catering", "Sanitär", "Architekten",
    "Versicherungsmakler", "Fahrschule", "Blumen", "Autoglas", "Reinigung",
]  # fmt: skip
COMPANY_FORMS = {
    "DE": ["GmbH", "GmbH & Co. KG", "KG", "e.K.", "AG"],
    "AT": ["GmbH", "KG", "OG", "e.U."],
}
ENGLISH_COMPANY_FORMS = ["Ltd", "Consulting Ltd", "& Partners"]

# Per demo branch: (town, postcode choices, landline area code, country) around the branch.
REGIONS = {
    "MUC": {
        "country": "DE",
        "calling_code": "+49",
        "mobile_prefixes": ["151", "152", "160", "170", "171", "172", "176", "179"],
        "mobile_digits": 8,
        "towns": [
            ("München", ["80331", "80469", "80634", "80796", "80807", "80939", "81369", "81541",
                         "81667", "81737", "81925"], "89", 8),
            ("Freising", ["85354", "85356"], "8161", 5),
            ("Dachau", ["85221"], "8131", 4),
            ("Erding", ["85435"], "8122", 3),
            ("Garching bei München", ["85748"], "89", 2),
            ("Unterschleißheim", ["85716"], "89", 3),
            ("Ismaning", ["85737"], "89", 2),
            ("Fürstenfeldbruck", ["82256"], "8141", 3),
            ("Starnberg", ["82319"], "8151", 2),
        ],
        "streets": [
            "Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße", "Lindenstraße",
            "Leopoldstraße", "Dorfstraße", "Ringstraße", "Bergstraße", "Kirchweg",
            "Ingolstädter Straße", "Schleißheimer Straße", "Dachauer Straße", "Rosenheimer Straße",
            "Landsberger Straße", "Sonnenstraße", "Münchner Straße", "Am Anger", "Birkenweg",
            "Ahornweg", "Isarstraße", "Freisinger Straße", "Weißenburger Straße", "Pfarrgasse",
        ],
    },
    "VIE": {
        "country": "AT",
        "calling_code": "+43",
        "mobile_prefixes": ["650", "660", "664", "676", "680", "699"],
        "mobile_digits": 7,
        "towns": [
            ("Wien", ["1010", "1020", "1030", "1040", "1050", "1060", "1070", "1080", "1090",
                      "1100", "1120", "1130", "1140", "1150", "1160", "1180", "1190", "1210",
                      "1220", "1230"], "1", 10),
            ("Mödling", ["2340"], "2236", 3),
            ("Perchtoldsdorf", ["2380"], "1", 2),
            ("Baden", ["2500"], "2252", 2),
            ("Schwechat", ["2320"], "1", 2),
            ("Klosterneuburg", ["3400"], "2243", 2),
            ("Brunn am Gebirge", ["2345"], "2236", 1),
        ],
        "streets": [
            "Mariahilfer Straße", "Favoritenstraße", "Landstraßer Hauptstraße",
            "Gumpendorfer Straße", "Wiedner Hauptstraße", "Brünner Straße", "Triester Straße",
            "Linzer Straße", "Ottakringer Straße", "Praterstraße", "Hauptstraße", "Bahnstraße",
            "Kirchengasse", "Schulgasse", "Lindengasse", "Wiener Straße", "Badener Straße",
            "Neubaugasse", "Josefstädter Straße", "Währinger Straße", "Altmannsdorfer Straße",
        ],
    },
}  # fmt: skip
EMAIL_DOMAINS = ["example.com", "example.org", "example.net"]
