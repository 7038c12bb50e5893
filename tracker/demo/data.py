"""Name lists and text templates for the demo data set; every name here is fictional."""

from __future__ import annotations

from tracker.models import EventFormat

CLUSTERS = [
    (
        "materials-manufacturing",
        "Materials & Manufacturing",
        "Metal, polymer and composite producers and the precision manufacturers who process them.",
    ),
    (
        "automobility",
        "Automobility",
        "Automotive suppliers, e-mobility and smart-mobility companies of the Greater Region.",
    ),
    (
        "wood",
        "Wood",
        "The forest-wood value chain, from sawmills and joiners to timber-frame builders.",
    ),
    (
        "healthtech",
        "HealthTech",
        "Medical device, diagnostics, biotech and digital-health companies.",
    ),
]

# (role, e-mail, display name, cluster slugs)
USERS = [
    ("admin", "admin@demo.lu", "Claude Hoffmann", []),
    ("manager", "sandra.kremer@demo.lu", "Sandra Kremer", [c[0] for c in CLUSTERS]),
    ("advisor", "laurent.schmit@demo.lu", "Laurent Schmit", ["materials-manufacturing"]),
    ("viewer", "viewer@demo.lu", "Carole Feltes", []),
    ("manager", "marc.thill@demo.lu", "Marc Thill", [c[0] for c in CLUSTERS]),
    (
        "advisor",
        "nathalie.weber@demo.lu",
        "Nathalie Weber",
        ["materials-manufacturing", "automobility"],
    ),
    ("advisor", "tom.reuter@demo.lu", "Tom Reuter", ["automobility"]),
    ("advisor", "anne.kieffer@demo.lu", "Anne Kieffer", ["wood"]),
    ("advisor", "julie.majerus@demo.lu", "Julie Majerus", ["healthtech"]),
    ("advisor", "yves.colling@demo.lu", "Yves Colling", ["wood", "healthtech"]),
]

# How many companies have each cluster as their main cluster.
COMPANIES_PER_CLUSTER = {
    "materials-manufacturing": 50,
    "automobility": 36,
    "wood": 34,
    "healthtech": 30,
}

# Which cluster a company of a cluster may also belong to.
SECOND_CLUSTER = {
    "materials-manufacturing": ["automobility", "automobility", "healthtech", "wood"],
    "automobility": ["materials-manufacturing"],
    "wood": ["materials-manufacturing"],
    "healthtech": ["materials-manufacturing"],
}

# (activity in the company name, NACE Rev. 2 codes, markets (the first is the main one), facility)
ACTIVITIES = {
    "materials-manufacturing": [
        ("Precision Castings", ["24.53", "24.51"], ["automotive", "machinery", "aeronautics"],
         "foundry"),
        ("Surface Technologies", ["25.61"], ["automotive", "aeronautics", "machinery"],
         "coating line"),
        ("Metal Forming", ["25.50"], ["automotive", "construction", "machinery"], "press shop"),
        ("Polymer Compounds", ["20.16"], ["automotive", "packaging", "consumer-goods"],
         "compounding plant"),
        ("Composite Structures", ["22.29", "30.30"], ["aeronautics", "space", "defence"],
         "composites workshop"),
        ("Precision Machining", ["25.62"], ["aeronautics", "automotive", "medical", "machinery"],
         "machining workshop"),
        ("Steel Wire", ["24.34"], ["construction", "automotive", "energy"], "wire-drawing plant"),
        ("Industrial Coatings", ["20.30"], ["construction", "automotive", "rail"],
         "paint plant"),
        ("Glass Technologies", ["23.12"], ["construction", "automotive", "electronics"],
         "glass processing line"),
        ("Rubber Components", ["22.19"], ["automotive", "machinery", "rail"],
         "moulding hall"),
        ("Plastics Moulding", ["22.29"], ["automotive", "packaging", "medical", "consumer-goods"],
         "injection-moulding hall"),
        ("Additive Manufacturing", ["25.62"], ["aeronautics", "medical", "space"],
         "3D-printing workshop"),
        ("Sheet Metal", ["25.99"], ["machinery", "construction", "rail"], "sheet-metal workshop"),
        ("Fasteners", ["25.94"], ["automotive", "aeronautics", "construction"],
         "cold-forming plant"),
        ("Automation Systems", ["28.99"], ["machinery", "automotive", "agrifood"],
         "assembly workshop"),
        ("Laser Cutting", ["25.62"], ["machinery", "construction"], "laser workshop"),
        ("Steel Structures", ["25.11"], ["construction", "energy"], "fabrication hall"),
        ("Process Engineering", ["71.12"], ["machinery", "energy", "space"], "design office"),
        ("Advanced Materials", ["72.19"], ["space", "aeronautics", "energy"], "laboratory"),
        ("Packaging Films", ["22.22"], ["packaging", "agrifood"], "extrusion line"),
        ("Tooling", ["25.73"], ["automotive", "machinery"], "tool shop"),
        ("Heat Treatment", ["25.61"], ["automotive", "aeronautics", "machinery"],
         "heat-treatment shop"),
        ("Aluminium Profiles", ["24.42"], ["construction", "automotive", "rail"],
         "extrusion plant"),
    ],
    "automobility": [
        ("Automotive Components", ["29.32"], ["automotive"], "assembly plant"),
        ("Seating Systems", ["29.32"], ["automotive", "rail"], "assembly line"),
        ("Brake Technologies", ["29.32"], ["automotive", "rail"], "production hall"),
        ("Vehicle Electronics", ["29.31"], ["automotive", "electronics"], "electronics line"),
        ("Tyre Testing", ["71.20"], ["automotive"], "test track"),
        ("Sensor Systems", ["26.51"], ["automotive", "electronics", "aeronautics"],
         "clean room"),
        ("E-Mobility", ["27.90"], ["automotive", "energy"], "workshop"),
        ("Charging Solutions", ["27.90", "43.21"], ["energy", "automotive"], "workshop"),
        ("Battery Systems", ["27.20"], ["automotive", "energy"], "battery lab"),
        ("Fleet Software", ["62.01"], ["logistics", "automotive"], "offices"),
        ("Mobility Data", ["62.01", "63.11"], ["automotive", "logistics"], "offices"),
        ("Powertrain Engineering", ["71.12"], ["automotive", "machinery"], "test centre"),
        ("Vehicle Lighting", ["29.31"], ["automotive"], "production hall"),
        ("Logistics Systems", ["52.29"], ["logistics", "automotive"], "warehouse"),
        ("Cable Harnesses", ["29.31", "27.33"], ["automotive", "electronics"],
         "harness workshop"),
        ("Body Parts", ["29.32"], ["automotive"], "press shop"),
        ("Test Benches", ["28.29"], ["automotive", "machinery"], "assembly workshop"),
        ("Trailer Systems", ["29.20"], ["automotive", "logistics"], "production hall"),
    ],
    "wood": [
        ("Timber Works", ["16.10"], ["construction"], "sawmill"),
        ("Sawmill", ["16.10"], ["construction", "packaging"], "sawmill"),
        ("Joinery", ["16.23"], ["construction"], "joinery workshop"),
        ("Timber Frame Construction", ["16.23", "41.20"], ["construction"],
         "prefabrication hall"),
        ("Furniture", ["31.09"], ["consumer-goods"], "furniture workshop"),
        ("Kitchens", ["31.02"], ["consumer-goods", "construction"], "workshop"),
        ("Office Furniture", ["31.01"], ["consumer-goods"], "production hall"),
        ("Wood Pellets", ["16.29"], ["energy"], "pellet plant"),
        ("Wood Panels", ["16.21"], ["construction"], "panel plant"),
        ("Roof Carpentry", ["43.91"], ["construction"], "carpentry workshop"),
        ("Forestry Services", ["02.40"], ["energy", "construction"], "depot"),
        ("Pallets", ["16.24"], ["packaging", "logistics"], "pallet workshop"),
        ("Interior Fittings", ["16.23", "43.32"], ["construction", "consumer-goods"],
         "workshop"),
        ("Stairs & Doors", ["16.23"], ["construction"], "joinery workshop"),
        ("Wood Design", ["31.09", "74.10"], ["consumer-goods"], "design studio"),
        ("Biomass Energy", ["35.30"], ["energy"], "heating plant"),
    ],
    "healthtech": [
        ("Diagnostics", ["21.20", "32.50", "72.11"], ["medical"], "laboratory"),
        ("Medical Devices", ["32.50"], ["medical"], "clean room"),
        ("Biotech", ["72.11"], ["medical", "agrifood"], "laboratory"),
        ("Pharma", ["21.20"], ["medical"], "production site"),
        ("Digital Health", ["62.01"], ["medical"], "offices"),
        ("Imaging", ["26.60"], ["medical", "electronics"], "assembly lab"),
        ("Orthopaedics", ["32.50"], ["medical"], "workshop"),
        ("Bioinformatics", ["72.19", "62.01"], ["medical"], "offices"),
        ("Lab Instruments", ["26.51", "32.50"], ["medical", "electronics"], "assembly lab"),
        ("Health Software", ["62.01"], ["medical"], "offices"),
        ("Dental Technologies", ["32.50"], ["medical"], "workshop"),
        ("Therapeutics", ["72.11"], ["medical"], "laboratory"),
        ("Medical Textiles", ["13.96"], ["medical"], "production hall"),
        ("Hearing Solutions", ["26.60"], ["medical", "electronics"], "assembly lab"),
        ("Wearables", ["26.60", "26.51"], ["medical", "electronics", "consumer-goods"],
         "electronics lab"),
    ],
}  # fmt: skip

# First words of company names, by country.
NAME_PLACES = {
    "LU": [
        "Moselle", "Alzette", "Sûre", "Minett", "Éislek", "Gutland", "Attert", "Syre", "Eisch",
        "Mamer", "Pétrusse", "Wark", "Our Valley", "Clerve", "Mullerthal", "Red Rock", "Belval",
        "Kiem", "Nordstad", "Grengewald", "Kayl", "Schlassbierg", "Lëtzebuerger", "Ösling",
        "Bambësch", "Haardt", "Kuelbecherbierg", "Weiswampach", "Stolzembourg",
    ],
    "FR": ["Lorraine", "Fensch", "Orne Valley", "Pays-Haut", "Vosges", "Moselle-Est"],
    "BE": ["Gaume", "Ardenne", "Semois", "Lorraine Belge", "Haute-Sûre"],
    "DE": ["Saar", "Eifel", "Hunsrück", "Mosel-Saar", "Trierer Land"],
}  # fmt: skip

LEGAL_FORMS = {
    "LU": [("S.à r.l.", 55), ("S.A.", 38), ("S.à r.l.-S", 7)],
    "FR": [("S.A.S.", 60), ("S.A.R.L.", 40)],
    "BE": [("S.R.L.", 55), ("S.A.", 45)],
    "DE": [("GmbH", 80), ("GmbH & Co. KG", 20)],
}

# (locality, postal codes, streets), by country; LU codes carry the L- prefix.
LOCALITIES = {
    "materials-manufacturing": [
        ("Esch-sur-Alzette", ["L-4362", "L-4221"],
         ["avenue des Hauts-Fourneaux", "rue de l'Industrie"]),
        ("Differdange", ["L-4620", "L-4601"], ["rue Émile Mark", "Zone industrielle Hahneboesch"]),
        ("Bettembourg", ["L-3225", "L-3236"], ["rue de l'Industrie", "Z.A.E. Krakelshaff"]),
        ("Foetz", ["L-3895"], ["rue de l'Industrie", "rue du Brill"]),
        ("Contern", ["L-5326"], ["rue Edmond Reuter", "rue des Chaux"]),
        ("Dudelange", ["L-3451", "L-3555"], ["Zone d'activités Wolser", "rue du Commerce"]),
        ("Rodange", ["L-4831"], ["route de Longwy", "rue de l'Usine"]),
        ("Ehlerange", ["L-4384"], ["Zone d'activités ZARE Ouest", "Zone d'activités ZARE Est"]),
        ("Colmar-Berg", ["L-7737"], ["Zone industrielle", "rue de la Gare"]),
        ("Kehlen", ["L-8287"], ["Zone industrielle", "rue de Keispelt"]),
        ("Bissen", ["L-7795", "L-7765"], ["Zone industrielle Klengbousbierg", "route de Mersch"]),
        ("Windhof", ["L-8399"], ["rue de l'Industrie", "rue d'Arlon"]),
        ("Luxembourg", ["L-2557", "L-1273"], ["rue Robert Stümper", "rue de Bitbourg"]),
        ("Mertert", ["L-6686"], ["route du Port", "rue du Port"]),
    ],
    "automobility": [
        ("Bettembourg", ["L-3225"], ["rue de l'Industrie", "Eurohub Sud"]),
        ("Foetz", ["L-3895"], ["rue de l'Industrie", "rue du Commerce"]),
        ("Munsbach", ["L-5365"], ["rue Gabriel Lippmann", "Parc d'activité Syrdall"]),
        ("Windhof", ["L-8399"], ["rue de l'Industrie", "route des Trois Cantons"]),
        ("Contern", ["L-5326"], ["rue Edmond Reuter", "Weiergewan"]),
        ("Colmar-Berg", ["L-7737"], ["Zone industrielle", "avenue Gordon Smith"]),
        ("Esch-sur-Alzette", ["L-4362"], ["avenue du Rock'n'Roll", "avenue des Hauts-Fourneaux"]),
        ("Sanem", ["L-4970"], ["Zone industrielle Gadderscheier", "rue du Moulin"]),
        ("Luxembourg", ["L-1855", "L-2557"], ["avenue John F. Kennedy", "rue Eugène Ruppert"]),
        ("Bissen", ["L-7795"], ["Zone industrielle Klengbousbierg"]),
        ("Grevenmacher", ["L-6776"], ["Zone industrielle Potaschberg", "route de Trèves"]),
    ],
    "wood": [
        ("Wiltz", ["L-9515", "L-9537"], ["Zone industrielle Salzbaach", "rue de la Tannerie"]),
        ("Ettelbruck", ["L-9085", "L-9048"],
         ["Zone artisanale et commerciale", "rue Prince Henri"]),
        ("Diekirch", ["L-9214", "L-9237"], ["Zone industrielle Fridhaff", "rue de Stavelot"]),
        ("Clervaux", ["L-9710", "L-9765"], ["Zone d'activités Eselborn-Lentzweiler", "Grand-Rue"]),
        ("Troisvierges", ["L-9905"], ["rue de la Gare", "Zone artisanale"]),
        ("Hosingen", ["L-9809"], ["Zone artisanale Hosingen", "Haaptstrooss"]),
        ("Redange-sur-Attert", ["L-8510"], ["Zone artisanale", "Grand-Rue"]),
        ("Junglinster", ["L-6131"], ["Zone industrielle Langwies", "route de Luxembourg"]),
        ("Grevenmacher", ["L-6776"], ["Zone industrielle Potaschberg"]),
        ("Mersch", ["L-7540", "L-7572"], ["rue de Colmar-Berg", "Zone industrielle"]),
        ("Vianden", ["L-9410"], ["route de Diekirch"]),
        ("Echternach", ["L-6468"], ["Zone industrielle", "route de Luxembourg"]),
        ("Bissen", ["L-7765"], ["route de Mersch", "Zone industrielle Klengbousbierg"]),
    ],
    "healthtech": [
        ("Luxembourg", ["L-1855", "L-2557", "L-1246"], ["avenue John F. Kennedy",
            "rue Robert Stümper", "rue Albert Borschette"]),
        ("Esch-sur-Alzette", ["L-4354", "L-4362"],
         ["rue Henri Koch", "avenue des Hauts-Fourneaux"]),
        ("Strassen", ["L-8030"], ["rue du Kiem", "route d'Arlon"]),
        ("Bertrange", ["L-8070"], ["Z.A. Bourmicht", "rue du Puits Romain"]),
        ("Leudelange", ["L-3364"], ["rue de la Poudrerie", "rue Léon Laval"]),
        ("Munsbach", ["L-5365"], ["rue Gabriel Lippmann", "Parc d'activité Syrdall"]),
        ("Contern", ["L-5326"], ["rue Edmond Reuter"]),
        ("Junglinster", ["L-6131"], ["Zone industrielle Langwies"]),
        ("Mamer", ["L-8211"], ["route d'Arlon", "rue de l'Industrie"]),
        ("Dudelange", ["L-3451"], ["Zone d'activités Wolser"]),
        ("Capellen", ["L-8308"], ["Parc d'activités", "Zone industrielle"]),
    ],
}  # fmt: skip

FOREIGN_LOCALITIES = {
    "FR": [
        ("Thionville", "57100"), ("Metz", "57070"), ("Florange", "57190"), ("Yutz", "57970"),
        ("Longwy", "54400"), ("Hagondange", "57300"), ("Audun-le-Tiche", "57390"),
        ("Épinal", "88000"), ("Saint-Dié-des-Vosges", "88100"), ("Nancy", "54000"),
    ],
    "BE": [
        ("Arlon", "6700"), ("Bastogne", "6600"), ("Aubange", "6790"), ("Virton", "6760"),
        ("Libramont", "6800"), ("Marche-en-Famenne", "6900"), ("Eupen", "4700"),
    ],
    "DE": [
        ("Trier", "54294"), ("Saarbrücken", "66111"), ("Saarlouis", "66740"),
        ("Bitburg", "54634"), ("Merzig", "66663"), ("Wittlich", "54516"), ("Konz", "54329"),
    ],
}  # fmt: skip

FOREIGN_STREETS = {
    "FR": ["rue de la Forge", "Zone industrielle", "rue des Aciéries", "allée des Tilleuls"],
    "BE": ["Zoning industriel", "rue de l'Industrie", "Parc d'activités économiques"],
    "DE": ["Industriestraße", "Gewerbegebiet Nord", "Hafenstraße", "Am Bahnhof"],
}

TLD = {"LU": "lu", "FR": "fr", "BE": "be", "DE": "de"}

FIRST_NAMES = [
    "Marc", "Claude", "Jean", "Paul", "Luc", "Pierre", "Michel", "Tom", "Max", "Laurent",
    "Patrick", "Sven", "Yves", "Georges", "Nico", "Carlo", "Romain", "Jeff", "Gilles", "Ben",
    "Sandra", "Anne", "Nathalie", "Martine", "Carole", "Sophie", "Christiane", "Monique",
    "Sylvie", "Tania", "Laura", "Julie", "Véronique", "Myriam", "Danielle", "Joëlle",
    "Isabelle", "Claudine", "Lena", "Sarah", "Fabienne", "Mike", "Steve", "Pit", "Jos",
    "Serge", "Frank", "Thierry", "Olivier", "Stéphane", "Ana", "Sofia", "João", "Miguel",
    "Katrin", "Andreas", "Stefan", "Julien", "Élodie", "Céline", "Manon", "Kevin", "Lynn",
    "Noémie", "Christophe", "Vincent", "Nadine", "Birgit", "Tessy", "Raoul",
]  # fmt: skip

LAST_NAMES = [
    "Schmit", "Muller", "Weber", "Wagner", "Hoffmann", "Thill", "Schroeder", "Becker", "Kremer",
    "Klein", "Faber", "Reuter", "Schiltz", "Kieffer", "Majerus", "Hansen", "Welter", "Weis",
    "Meyer", "Ries", "Goergen", "Back", "Lentz", "Kayser", "Da Silva", "Pereira", "Ferreira",
    "Dupont", "Lambert", "Marx", "Wirtz", "Jacoby", "Hilbert", "Bernard", "Fischbach",
    "Steichen", "Bettendorf", "Hoss", "Zeimet", "Konsbruck", "Pauly", "Feltes", "Colling",
    "Frisch", "Origer", "Mangen", "Krier", "Gengler", "Theisen", "Bintner", "Greiveldinger",
    "Nilles", "Scholtes", "Biver", "Thinnes", "Poos", "Engel", "Simon", "Rodrigues", "Martin",
    "Lorang", "Mersch", "Clement", "Dumont", "Lefèvre", "Schneider", "Hermes", "Wolter",
    "Kinnen", "Bauler",
]  # fmt: skip

# Family names that read well in a company name ("Thill Joinery S.à r.l.").
COMPANY_SURNAMES = [
    n for n in LAST_NAMES if n not in {"Back", "Weis", "Klein", "Simon", "Martin", "Engel", "Poos"}
]

# Job titles: the first contact of a company gets one of the first list.
LEAD_TITLES = ["CEO", "Managing Director", "General Manager", "Founder & CEO", "Gérant"]
OTHER_TITLES = [
    "CFO", "Head of R&D", "Plant manager", "Sales director", "HR manager", "Operations manager",
    "Quality manager", "Innovation manager", "Technical director", "Purchasing manager",
    "Business development manager", "Regulatory affairs manager",
]  # fmt: skip

PERSON_NOTES = [
    "",
    "",
    "",
    "",
    "Prefers calls in the morning.",
    "Speaks French, German and Luxembourgish.",
    "Best reached on mobile.",
    "Member of the cluster's steering group.",
    "Prefers to communicate in German.",
    "Assistant screens calls; e-mail first.",
]

PARTNERS = {
    "liquidity": ["SNCI", "Mutualité de Cautionnement", "Chamber of Commerce"],
    "investment": ["SNCI", "Chamber of Commerce"],
    "new-markets": ["Materalia", "MecaTech", "Skywin"],
    "partnerships": ["Materalia", "MecaTech", "Skywin",
                     "Luxembourg Institute of Science and Technology"],
    "internationalisation": ["Chamber of Commerce", "Luxembourg Trade & Invest"],
    "skills": ["House of Training", "ADEM"],
    "regulation": ["Chamber of Commerce", "Luxembourg Institute of Health"],
    "digitalisation": ["Digital Innovation Hub Luxembourg",
                       "Luxembourg House of Financial Technology"],
    "rdi-funding": ["Luxembourg Institute of Science and Technology", "University of Luxembourg"],
    "energy-sustainability": ["Chamber of Commerce", "Klima-Agence"],
    "other": ["Chamber of Commerce", "House of Entrepreneurship"],
}  # fmt: skip

WOOD_PARTNERS = ["Cluster Bois Grand Est", "Hout Info Bois"]

# (instrument name or None for a referral to a partner, weight), by need category.
SOLUTION_OPTIONS = {
    "liquidity": [("Short-time work scheme", 5), ("SNCI loan", 4), (None, 1), ("COVID-Invest", 1)],
    "investment": [("Neistart Lëtzebuerg SME investment aid", 5), ("SNCI loan", 3),
                   ("COVID-Invest", 1), (None, 1)],
    "rdi-funding": [("National R&D aid", 5), ("Horizon Europe", 2), ("EIC Accelerator", 1),
                    ("COVID-RDI", 1), ("Fit 4 Innovation", 2), (None, 1)],
    "digitalisation": [("Fit 4 Digital", 6), ("Neistart Lëtzebuerg SME investment aid", 2),
                       (None, 1)],
    "new-markets": [(None, 3), ("Interreg Greater Region", 2), ("Fit 4 Innovation", 2)],
    "internationalisation": [(None, 3), ("Interreg Greater Region", 2)],
    "partnerships": [(None, 3), ("Interreg Greater Region", 2), ("Fit 4 Innovation", 1)],
    "skills": [(None, 3)],
    "regulation": [(None, 3), ("Fit 4 Innovation", 1)],
    "energy-sustainability": [("Fit 4 Sustainability", 5), ("SNCI loan", 1),
                              ("Neistart Lëtzebuerg SME investment aid", 2)],
    "other": [(None, 2)],
}  # fmt: skip

# EUR range requested, by instrument.
AMOUNT_RANGES = {
    "COVID-RDI": (40_000, 450_000),
    "COVID-Invest": (30_000, 400_000),
    "Neistart Lëtzebuerg SME investment aid": (20_000, 300_000),
    "Fit 4 Digital": (20_000, 45_000),
    "Fit 4 Innovation": (20_000, 50_000),
    "Fit 4 Sustainability": (20_000, 40_000),
    "National R&D aid": (80_000, 800_000),
    "SNCI loan": (100_000, 800_000),
    "Short-time work scheme": (20_000, 250_000),
    "Horizon Europe": (200_000, 800_000),
    "EIC Accelerator": (400_000, 800_000),
    "Interreg Greater Region": (50_000, 400_000),
}

# (months before today, cluster, format, title, partners, description)
EVENTS = [
    (23, "materials-manufacturing", EventFormat.ON_SITE, "Circular plastics workshop",
     ["Materalia"], "Recycled polymers in technical parts: three case studies and a plant tour."),
    (21.5, "healthtech", EventFormat.WEBINAR, "MDR transition: what changes for device makers",
     [], "The new deadlines of the Medical Device Regulation and how notified bodies work."),
    (20, "wood", EventFormat.ON_SITE, "Timber-frame construction: site visit and matchmaking",
     ["Cluster Bois Grand Est"], "Visit of a timber-frame school building site, then B2B talks."),
    (18.5, "automobility", EventFormat.ON_SITE, "Connected and automated driving: testbed open day",
     ["MecaTech"], "Demonstrations on the cross-border testbed and a suppliers' market place."),
    (17, "materials-manufacturing", EventFormat.WEBINAR,
     "Energy prices: support measures for industry", [],
     "What the national energy-cost aid covers and how to apply."),
    (15, "automobility", EventFormat.WEBINAR,
     "Automotive suppliers: cash-flow and short-time work clinic", [],
     "Short-time work, SNCI loans and guarantees explained, with Q&A."),
    (13.5, "materials-manufacturing", EventFormat.ON_SITE, "Aeronautics and space matchmaking",
     ["Skywin", "Materalia"], "Pre-arranged B2B meetings with aerospace primes and tier-1s."),
    (12, "automobility", EventFormat.ON_SITE,
     "Diversification day: from automotive to defence, rail and energy", ["MecaTech", "Materalia"],
     "Buyers from rail, energy and defence present their sourcing needs."),
    (10.5, "healthtech", EventFormat.ON_SITE, "Digital health meets hospitals", [],
     "Start-ups pitch to the CIOs and medical directors of the country's hospitals."),
    (9, "wood", EventFormat.WEBINAR, "Funding your investment: Neistart Lëtzebuerg and SNCI", [],
     "Investment aid and loans for sawmills, joiners and builders."),
    (7.5, "materials-manufacturing", EventFormat.ON_SITE, "Industry 4.0 tour: smart factory visit",
     ["MecaTech"], "Visit of a digitalised machining plant and a Fit 4 Digital testimonial."),
    (6, "healthtech", EventFormat.WEBINAR, "National R&D aid and Horizon Europe for HealthTech",
     [], "Which programme for which project, and how to write a convincing application."),
    (4.5, "wood", EventFormat.ON_SITE, "Greater Region wood matchmaking",
     ["Cluster Bois Grand Est", "Hout Info Bois"],
     "Sawmills, joiners and builders from four countries meet to source local timber."),
    (3, "automobility", EventFormat.WEBINAR, "Battery value chain: opportunities for suppliers", [],
     "Battery makers present their supplier requirements."),
    (1.5, "materials-manufacturing", EventFormat.ON_SITE,
     "Defence and dual-use opportunities for suppliers", ["Skywin"],
     "Procurement rules, security clearance and the buyers' needs."),
    (0.5, "healthtech", EventFormat.ON_SITE, "Clinical validation workshop", [],
     "How to plan a clinical investigation with a Luxembourg hospital."),
]  # fmt: skip

# ----------------------------------------------------------------------------------------
# Text templates. Placeholders: {p} person's name, {first} their first name, {title} job title,
# {state} a health phrase, {topic}, {facility}, {loc}, {next}.
# ----------------------------------------------------------------------------------------

STATE_PHRASES = {
    "crisis_exposed": [
        "orders from the main automotive customer are down by about {pct}% and the plant runs "
        "on short-time work",
        "call-offs from tier-1 customers were cut again for the next quarter",
        "the company lost its second-largest customer and is preparing to cut {n} jobs",
        "production is down to one shift; management is reviewing the whole cost base",
        "aerospace and automotive volumes collapsed at the same time; cash is the main worry",
        "the bank asked for an updated cash-flow plan before extending the credit line",
    ],
    "crisis": [
        "order intake has dropped by roughly {pct}% and cash is tight",
        "customers postpone projects; the company uses short-time work for part of the staff",
        "the company is behind on supplier payments and negotiating with its bank",
        "a key customer went into insolvency, leaving about EUR {k}k of unpaid invoices",
    ],
    "strained": [
        "order intake is softer than last year and margins suffer from energy prices",
        "activity is holding up, but customers are postponing projects",
        "the order book covers about {weeks} weeks, down from {weeks2}",
        "sales are flat; the company has frozen hiring",
    ],
    "normal": [
        "business is stable and the order book covers about {weeks} weeks",
        "the company is running at full capacity and hiring",
        "activity is in line with the budget",
        "turnover grew last year and the outlook is positive",
    ],
    "recovering": [
        "orders are picking up again and short-time work ended last month",
        "two new customers were won outside automotive, first deliveries this quarter",
        "sales are recovering and the company is considering new investments",
        "the order book is back to about {weeks} weeks; hiring resumes cautiously",
    ],
}

TOPICS = {
    "general": [
        "the cluster's next matchmaking event", "the innovation roadmap",
        "recruitment of technicians", "the energy audit", "export plans for Germany and France",
        "the new ERP roll-out", "a collaborative R&D project with LIST",
        "the cluster's working group on circular economy", "the annual strategy review",
        "participation in a trade fair", "a new product line",
    ],
    "crisis": [
        "the short-time work application", "bridging finance options",
        "diversification into new markets", "payment terms with suppliers",
        "the cash-flow plan for the next six months", "the restructuring plan",
    ],
    "materials-manufacturing": [
        "qualification as a supplier for aerospace", "recycled raw materials",
        "a new heat-treatment furnace", "automated quality inspection",
        "the REACH registration of a new compound",
    ],
    "automobility": [
        "parts for electric drivetrains", "the cross-border testbed", "a battery-recycling pilot",
        "new OEM sourcing rules", "the move to e-mobility components",
    ],
    "wood": [
        "the timber-frame project pipeline", "local beech valorisation", "PEFC certification",
        "a new CNC joinery centre", "timber supply from Luxembourg forests",
    ],
    "healthtech": [
        "the MDR certification timeline", "clinical validation with a Luxembourg hospital",
        "reimbursement by the CNS", "a Series A funding round", "data protection for patient data",
    ],
}  # fmt: skip

NEXT_STEPS = [
    "send the Fit 4 Digital brochure", "introduce them to a partner cluster",
    "share the contact at SNCI", "invite them to the next cluster event",
    "check the order book again next month", "prepare an R&D aid pre-application",
    "meet again with the CFO", "send the list of Greater Region buyers",
]  # fmt: skip

SUMMARIES = {
    "call": [
        "Call with {p} ({title}): {state}.",
        "Phone check-in with {p}. {State}.",
        "Called {p} about {topic}; {state}.",
        "Short call with {p} to follow up on {topic}.",
        "{p} called about {topic}. {State}.",
        "Quarterly call with {p}: {state}. Next step: {next}.",
    ],
    "email": [
        "E-mail exchange with {p} about {topic}.",
        "Sent {p} information on {topic}.",
        "{p} wrote back about {topic}; {state}.",
        "E-mail from {p} asking for contacts on {topic}.",
        "Sent the meeting notes and the next steps on {topic} to {p}.",
    ],
    "meeting": [
        "Meeting with {p} at the agency on {topic}. {State}.",
        "Video meeting with {p} and the management team: {state}; discussed {topic}.",
        "Meeting with {p} to prepare {topic}. Next step: {next}.",
        "Lunch meeting with {p}: {state}.",
    ],
    "visit": [
        "Site visit in {loc}, toured the {facility} with {p}. {State}.",
        "Visited the {facility} in {loc}; {state}. Discussed {topic}.",
        "Visit with {p} ({title}) in {loc}: {state}. Next step: {next}.",
        "Plant tour in {loc} with {p}; {state}.",
    ],
}

HEALTH_COMMENTS = {
    "critical": [
        "Management considers closing the site if volumes do not return by the end of the year.",
        "Cash lasts about two months without new financing.",
        "Main customer has stopped call-offs; restructuring under discussion.",
        "Bank credit line was not renewed.",
    ],
    "high": [
        "Order book down sharply; short-time work for most production staff.",
        "Dependence on one automotive customer is the main risk.",
        "Margins squeezed by energy prices; price increases not accepted by customers.",
        "Several projects postponed by customers.",
    ],
    "medium": [
        "Some customers are slowing down, but the company has reserves.",
        "Stable, but watching the automotive market closely.",
        "Recovery is fragile; orders still below last year's level.",
    ],
    "low": [
        "Healthy order book and no financing issues.",
        "Growing steadily; hiring two people.",
        "No concerns at this stage.",
    ],
}

NEED_TEXTS = {
    "liquidity": [
        "Bridging finance to cover about {n} months of fixed costs while orders recover.",
        "Cash-flow gap after a major customer cut its orders; needs a short-term credit line.",
        "Wants to put {n} production staff on short-time work.",
        "Needs to renegotiate the repayment schedule of an investment loan.",
    ],
    "investment": [
        "Financing for a new {machine} (about EUR {k}k).",
        "Plans to extend the {facility}; looking for investment aid.",
        "Replacement of an old line by a more energy-efficient one.",
        "Investment in a second production site in the Greater Region.",
    ],
    "rdi-funding": [
        "Funding for an R&D project on {rd}.",
        "Looking for a partner and funding to develop {rd}.",
        "Prepare an R&D aid application for {rd}.",
    ],
    "digitalisation": [
        "Digital maturity assessment and roadmap for the shop floor.",
        "Roll-out of an MES to track production in real time.",
        "Wants to automate quality inspection with machine vision.",
        "Replace the ageing ERP and connect the machines.",
    ],
    "new-markets": [
        "Diversify away from automotive: find customers in {mkts}.",
        "Looking for new markets after the collapse of its main market.",
        "Wants to qualify as a supplier in {mkts}.",
    ],
    "internationalisation": [
        "Export prospects in {country}; needs contacts and trade-fair support.",
        "Wants to exhibit at {fair} on a shared stand.",
    ],
    "partnerships": [
        "Looking for a subcontractor for {process}.",
        "Needs a second supplier after supply problems.",
        "Seeks an academic partner for material testing.",
    ],
    "skills": [
        "Cannot fill {n} vacancies for {job}.",
        "Training needs in {skill}.",
    ],
    "regulation": [
        "{regulation}",
    ],
    "energy-sustainability": [
        "Energy costs up sharply; wants an energy audit.",
        "Interested in a photovoltaic installation on the plant roof.",
        "A major customer asks for the carbon footprint of its products.",
    ],
    "other": [
        "Looking for land in an industrial zone to expand.",
        "Questions on the move to new premises.",
    ],
}

NEED_FILL = {
    "machine": ["5-axis machining centre", "press line", "CNC joinery centre", "coating line",
                "clean-room extension", "robotic welding cell", "injection-moulding machine"],
    "rd": ["lightweight recycled alloys", "bio-based resins", "a sensor for battery monitoring",
           "a point-of-care diagnostic test", "cross-laminated beech panels",
           "predictive maintenance with AI", "a new wear-resistant coating"],
    "mkts": ["aerospace and defence", "rail and energy", "medical devices",
             "construction and energy", "agri-food packaging"],
    "country": ["Germany", "France", "Belgium", "the Netherlands", "Switzerland", "Scandinavia"],
    "fair": ["Hannover Messe", "JEC World", "MEDICA", "Ligna", "Automechanika",
             "the Paris Air Show", "BAU"],
    "process": ["heat treatment", "precision machining", "surface coating", "CNC milling",
                "electronic assembly", "sterilisation"],
    "job": ["CNC operators", "maintenance technicians", "process engineers", "software developers",
            "joiners", "quality technicians"],
    "skill": ["lean management", "additive manufacturing", "cybersecurity", "data analysis"],
}  # fmt: skip

REGULATION_TEXTS = {
    "materials-manufacturing": ["REACH compliance questions for a new coating.",
                                "CE marking of a new machine."],
    "automobility": ["Type approval of a retrofit kit.", "New battery regulation requirements."],
    "wood": ["EU deforestation regulation: traceability of imported timber.",
             "Fire-safety certification of a timber-frame system."],
    "healthtech": ["MDR transition for legacy devices.", "IVDR certification of a new test.",
                   "GDPR review of a patient-data platform."],
}  # fmt: skip

RESOLVED_WITHOUT_SOLUTION = [
    "Solved by the company with its house bank.",
    "The company found a partner on its own.",
    "No longer relevant after orders recovered.",
    "Handled internally by the company.",
    "Contacts provided; the company took it from there.",
]

CLOSED_UNRESOLVED = [
    "The company decided not to pursue.",
    "No suitable instrument available.",
    "No answer from the company after several reminders.",
    "Postponed indefinitely by the management.",
]

FOLLOWUP_TITLES = {
    "instrument": [
        "Send the {x} eligibility checklist",
        "Help prepare the {x} application",
        "Check progress of the {x} file",
        "Chase the decision on the {x} application",
    ],
    "partner": [
        "Introduce the company to {x}",
        "Check whether {x} has been in touch",
    ],
    "need": [
        "Send contacts for {x}",
        "Prepare options for {x}",
        "Discuss {x} options with the management",
    ],
    "general": [
        "Call back {x} about the order book",
        "Send the presentation from the meeting to {x}",
        "Schedule a site visit",
        "Check the quarterly figures with {x}",
        "Invite {x} to the next cluster event",
        "Send the event calendar to {x}",
        "Share the contact at LIST with {x}",
    ],
    "crisis": [
        "Ask {x} for the updated cash-flow plan",
        "Check the short-time work situation with {x}",
        "Call {x} after the meeting with the bank",
    ],
}
