//! Deterministic synthetic data for the benchmarks: cases and testimonies in
//! Arabic, French and English, and evidence files.
//!
//! Everything comes from one seed through SplitMix64 (written out here so the
//! data never changes with a dependency's version). Every person is fictional:
//! a random pairing of a common given name with an invented family name. The
//! Arabic sentences are real news text from the shared corpus (no names of
//! people in a case); the French and English sentences are templates written
//! for this benchmark, with a Zipf-distributed filler vocabulary and a tail of
//! rare words, so that there are common terms, rare terms and phrases to query.

use serde_json::{json, Value};
use uuid::Uuid;

/// SplitMix64: small, fast, and fixed forever.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    /// An index in `0..n` with probability about proportional to 1/(i+1).
    pub fn zipf(&mut self, n: usize) -> usize {
        let i = ((n as f64 + 1.0).powf(self.unit()) - 1.0) as usize;
        i.min(n - 1)
    }

    /// A version-4 UUID drawn from this generator (so both databases get the same ids).
    pub fn uuid(&mut self) -> Uuid {
        let raw = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        uuid::Builder::from_random_bytes(raw.to_le_bytes()).into_uuid()
    }

    /// Fills `buf` with pseudo-random (incompressible) bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// Given names: Latin spellings (the first is the usual one) and the Arabic form.
pub const GIVEN: &[(&[&str], &str)] = &[
    (&["Mohamed", "Muhammad", "Mohammed", "Mohamad"], "محمد"),
    (&["Ahmed", "Ahmad"], "أحمد"),
    (&["Youssef", "Yusuf", "Youssouf"], "يوسف"),
    (&["Fatima", "Fatma", "Fatimah"], "فاطمة"),
    (&["Aicha", "Aïcha", "Aisha"], "عائشة"),
    (&["Omar", "Umar"], "عمر"),
    (&["Hassan", "Hasan"], "حسن"),
    (&["Khaled", "Khalid"], "خالد"),
    (&["Mariam", "Maryam", "Meriem"], "مريم"),
    (&["Idris", "Idriss"], "إدريس"),
    (&["Salma", "Selma"], "سلمى"),
    (&["Karim", "Kareem"], "كريم"),
    (&["Samir", "Sameer"], "سمير"),
    (&["Leila", "Layla", "Laila"], "ليلى"),
    (&["Tarek", "Tariq"], "طارق"),
    (&["Yasmine", "Yasmin"], "ياسمين"),
    (&["Rachid", "Rashid"], "رشيد"),
    (&["Zainab", "Zeinab", "Zaynab"], "زينب"),
    (&["Walid", "Waleed"], "وليد"),
    (&["Nabil", "Nabeel"], "نبيل"),
    (&["Hamza", "Hamzah"], "حمزة"),
    (&["Souad", "Suad"], "سعاد"),
    (&["Bilal", "Belal"], "بلال"),
    (&["Amina", "Aminah"], "أمينة"),
];

/// Invented family names (nisbas of invented places): Latin spellings and Arabic.
pub const FAMILY: &[(&[&str], &str)] = &[
    (&["al-Nakhlawi", "Nakhlawi", "El Nakhlawi"], "النخلاوي"),
    (&["al-Samrani", "Samrani", "Essamrani"], "السمراني"),
    (&["Bouzaher", "Bou Zaher"], "بوزاهر"),
    (&["al-Kafrawi", "Kafrawi", "El Kafraoui"], "الكفراوي"),
    (&["al-Tellani", "Tellani"], "التلاني"),
    (&["al-Ghadiri", "Ghadiri", "El Ghadiri"], "الغديري"),
    (&["Ben Warda", "Benwarda"], "بن وردة"),
    (&["al-Qasbawi", "Qasbawi", "Kasbaoui"], "القصباوي"),
    (&["al-Rimali", "Rimali", "Er-Rimali"], "الرمالي"),
    (&["al-Hajjari", "Hajjari", "Hadjari"], "الحجاري"),
    (&["al-Zaytouni", "Zaytouni", "Zitouni"], "الزيتوني"),
    (&["Bensahli", "Ben Sahli"], "بن سهلي"),
    (&["al-Wadiri", "Wadiri", "Ouadiri"], "الواديري"),
    (&["al-Jabali", "Jebali", "Djebali"], "الجبالي"),
    (&["al-Marjani", "Marjani"], "المرجاني"),
    (&["al-Nahrawi", "Nahrawi", "Nahraoui"], "النهراوي"),
    (&["al-Sabkhawi", "Sabkhawi"], "السبخاوي"),
    (&["Boukhamsa", "Bou Khamsa"], "بوخمسة"),
    (&["al-Dawudi", "Daoudi", "Dawoudi"], "الداودي"),
    (&["al-Birkawi", "Birkawi", "Berkaoui"], "البركاوي"),
    (&["al-Tinawi", "Tinawi", "Tinaoui"], "التيناوي"),
    (&["al-Sawahili", "Sawahili", "Souahli"], "السواحلي"),
    (&["al-Qurmani", "Qurmani", "Kourmani"], "القرماني"),
    (&["al-Ramadi", "Ramadi"], "الرمادي"),
    (&["al-Hilali", "Hilali", "Hlali"], "الهلالي"),
    (&["al-Fakhrani", "Fakhrani"], "الفخراني"),
    (&["al-Shajari", "Shajari", "Chajari"], "الشجري"),
    (&["al-Muraybi", "Muraybi", "Mraibi"], "المريبي"),
    (&["al-Kathibi", "Kathibi", "Ketibi"], "الكثيبي"),
    (&["al-Bahrawi", "Bahrawi", "Bahraoui"], "البحراوي"),
    (&["al-Sultani", "Soltani", "Sultani"], "السلطاني"),
    (&["al-Ghamri", "Ghamri"], "الغمري"),
    (&["al-Lawzi", "Lawzi", "Louzi"], "اللوزي"),
    (&["al-Tuffahi", "Tuffahi", "Toufahi"], "التفاحي"),
    (&["al-Rummani", "Rummani", "Roumani"], "الرماني"),
    (&["al-Nakhili", "Nakhili"], "النخيلي"),
    (&["al-Ward", "El Ward"], "الورد"),
    (&["al-Anbari", "Anbari", "Ambari"], "العنبري"),
    (&["al-Misbahi", "Misbahi", "Mesbahi"], "المصباحي"),
    (&["al-Qamari", "Qamari", "Kamari"], "القمري"),
];

/// Places: (country code, Latin name, Arabic name).
const PLACES: &[(&str, &str, &str)] = &[
    ("TR", "Istanbul", "إسطنبول"),
    ("EG", "Cairo", "القاهرة"),
    ("TN", "Tunis", "تونس"),
    ("MA", "Casablanca", "الدار البيضاء"),
    ("JO", "Amman", "عمّان"),
    ("LB", "Beirut", "بيروت"),
    ("AE", "Dubai", "دبي"),
    ("FR", "Paris", "باريس"),
    ("FR", "Lyon", "ليون"),
    ("GB", "London", "لندن"),
    ("DE", "Berlin", "برلين"),
    ("CH", "Geneva", "جنيف"),
    ("QA", "Doha", "الدوحة"),
    ("MY", "Kuala Lumpur", "كوالالمبور"),
    ("RS", "Belgrade", "بلغراد"),
    ("BA", "Sarajevo", "سراييفو"),
    ("GE", "Tbilisi", "تبليسي"),
    ("SA", "Jeddah", "جدة"),
    ("MA", "Rabat", "الرباط"),
    ("DZ", "Algiers", "الجزائر"),
];

const NATIONALITIES: &[&str] = &["EG", "SA", "MA", "DZ", "TN", "SY", "IQ", "BH", "AE", "JO", "LB", "LY"];

const FR_TEMPLATES: &[&str] = &[
    "{name} a été arrêté à l'aéroport de {city} le {date} par des agents en civil.",
    "Selon sa famille, il a été placé en garde à vue pendant {n} jours sans avocat.",
    "La famille n'a reçu aucune nouvelle depuis son transfert vers {city}.",
    "Une notice rouge d'Interpol aurait été émise à la demande des autorités de son pays.",
    "Les autorités ont demandé son extradition en invoquant des accusations de terrorisme.",
    "Il a été interrogé sur ses publications et sur ses contacts avec des journalistes.",
    "Son passeport a été confisqué et sa famille a été menacée à plusieurs reprises.",
    "L'avocat a déposé une demande d'asile et un recours devant le tribunal administratif.",
    "Des agents se sont présentés au domicile de ses parents à {city} le {date}.",
    "Elle affirme avoir été suivie pendant plusieurs semaines avant son arrestation.",
    "Le témoin a reconnu deux des agents présents lors de l'interrogatoire.",
    "Les messages reçus sur son téléphone contenaient des menaces explicites contre ses enfants.",
    "{name} explique que son frère a été détenu au secret pendant {n} semaines.",
    "Le consulat a refusé de renouveler ses documents de voyage.",
    "La procédure d'extradition est suspendue en attendant la décision de la cour d'appel.",
];

const EN_TEMPLATES: &[&str] = &[
    "{name} was arrested at {city} airport on {date} by plain-clothes officers.",
    "According to the family, he was held for {n} days without a lawyer.",
    "The family has had no news since the transfer to {city}.",
    "An Interpol red notice was reportedly issued at the request of the authorities.",
    "The authorities requested extradition on charges of terrorism.",
    "She was questioned about her posts and her contacts with journalists.",
    "The passport was confiscated and relatives were threatened several times.",
    "The lawyer filed an asylum claim and an appeal before the administrative court.",
    "Officers came to the parents' home in {city} on {date}.",
    "The witness says she was followed for several weeks before the arrest.",
    "{name} recognised two of the officers present during the interrogation.",
    "Messages received on the phone contained explicit threats against the children.",
    "{name} says his brother was held incommunicado for {n} weeks.",
    "The consulate refused to renew the travel documents.",
    "The extradition proceedings are suspended pending the decision of the court of appeal.",
];

const AR_TEMPLATES: &[&str] = &[
    "وقال شقيق {name} إنه اعتُقل في مطار {city} بتاريخ {date} على يد عناصر بملابس مدنية.",
    "وأكدت العائلة أنها لم تتلقَّ أي خبر عنه منذ نقله إلى {city}.",
    "وطلبت السلطات تسليمه بتهم تتعلق بالإرهاب، وصدرت بحقه نشرة حمراء.",
    "وأفادت {name} بأنها خضعت للاستجواب حول منشوراتها واتصالاتها بالصحفيين.",
    "وصودر جواز سفره وتعرّضت أسرته للتهديد أكثر من مرة.",
    "وقدّم المحامي طلب لجوء وطعنًا أمام المحكمة الإدارية في {city}.",
];

/// Filler vocabulary, most frequent first (Zipf-sampled).
const FR_WORDS: &[&str] = &[
    "le",
    "la",
    "de",
    "et",
    "les",
    "des",
    "en",
    "un",
    "une",
    "il",
    "elle",
    "pour",
    "dans",
    "que",
    "qui",
    "sur",
    "avec",
    "pas",
    "plus",
    "par",
    "son",
    "sa",
    "ses",
    "mais",
    "nous",
    "ils",
    "était",
    "avait",
    "depuis",
    "après",
    "avant",
    "jours",
    "mois",
    "ville",
    "famille",
    "maison",
    "travail",
    "police",
    "agents",
    "questions",
    "documents",
    "téléphone",
    "voiture",
    "frontière",
    "bureau",
    "nuit",
    "matin",
    "soir",
    "enfants",
    "mère",
    "père",
    "frère",
    "sœur",
    "ami",
    "collègue",
    "voisins",
    "journal",
    "article",
    "réseau",
    "message",
    "appel",
    "lettre",
    "avocat",
    "juge",
    "tribunal",
    "audience",
    "dossier",
    "plainte",
    "rapport",
    "preuve",
    "photo",
    "vidéo",
    "témoignage",
    "menace",
    "peur",
    "silence",
    "retour",
    "départ",
    "voyage",
    "billet",
    "hôtel",
    "quartier",
    "rue",
    "centre",
    "prison",
    "cellule",
    "gardien",
    "visite",
    "droit",
    "liberté",
    "exil",
    "asile",
    "refuge",
    "association",
    "militant",
    "opposant",
    "manifestation",
];

const EN_WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "was",
    "he",
    "she",
    "that",
    "for",
    "on",
    "with",
    "his",
    "her",
    "they",
    "had",
    "not",
    "at",
    "from",
    "by",
    "but",
    "after",
    "before",
    "since",
    "days",
    "months",
    "city",
    "family",
    "house",
    "work",
    "police",
    "officers",
    "questions",
    "documents",
    "phone",
    "car",
    "border",
    "office",
    "night",
    "morning",
    "evening",
    "children",
    "mother",
    "father",
    "brother",
    "sister",
    "friend",
    "colleague",
    "neighbours",
    "newspaper",
    "article",
    "network",
    "message",
    "call",
    "letter",
    "lawyer",
    "judge",
    "court",
    "hearing",
    "file",
    "complaint",
    "report",
    "evidence",
    "photo",
    "video",
    "statement",
    "threat",
    "fear",
    "silence",
    "return",
    "departure",
    "journey",
    "ticket",
    "hotel",
    "district",
    "street",
    "centre",
    "prison",
    "cell",
    "guard",
    "visit",
    "right",
    "freedom",
    "exile",
    "asylum",
    "shelter",
    "association",
    "activist",
    "opponent",
    "protest",
];

/// Rare words: each testimony has a 5 % chance of one, so each word is in
/// about one testimony in 2,000.
pub const RARE: &[&str] = &[
    "kaleidoscope",
    "marmalade",
    "sextant",
    "quince",
    "albatross",
    "zither",
    "obsidian",
    "tamarind",
    "gondola",
    "harpsichord",
    "periwinkle",
    "cormorant",
    "saffron",
    "lighthouse",
    "abacus",
    "tangerine",
    "walrus",
    "juniper",
    "mandolin",
    "pelican",
    "fenugreek",
    "accordion",
    "sandpiper",
    "chrysanthemum",
    "xylophone",
    "pomegranate",
    "carnelian",
    "lantern",
    "bergamot",
    "heron",
    "vermilion",
    "dulcimer",
    "mangrove",
    "cinnabar",
    "kestrel",
    "cardamom",
    "oboe",
    "flamingo",
    "turquoise",
    "sycamore",
    "clarinet",
    "lapwing",
    "nutmeg",
    "amethyst",
    "tortoise",
    "magnolia",
    "bassoon",
    "egret",
    "lavender",
    "hyacinth",
    "figurine",
    "astrolabe",
    "citadel",
    "cobblestone",
    "dromedary",
    "embroidery",
    "filigree",
    "galleon",
    "hammock",
    "inkwell",
    "jasmine",
    "kiosk",
    "labyrinth",
    "minaret",
    "nightingale",
    "orchard",
    "parchment",
    "quarry",
    "rosewater",
    "sundial",
    "tapestry",
    "umbrella",
    "velvet",
    "windmill",
    "yarrow",
    "zeppelin",
    "almanac",
    "barometer",
    "caravan",
    "daffodil",
    "ember",
    "falconry",
    "gazebo",
    "hibiscus",
    "icicle",
    "jackal",
    "kettledrum",
    "lagoon",
    "mosaic",
    "nectarine",
    "oasis",
    "porcelain",
    "quiver",
    "rhubarb",
    "sorrel",
    "thistle",
    "urchin",
    "vineyard",
    "wisteria",
    "yucca",
];

/// The corpus of real diacritized Arabic sentences.
pub struct Arabic {
    lines: Vec<String>,
}

impl Arabic {
    pub fn load(path: &std::path::Path) -> std::io::Result<Arabic> {
        let text = std::fs::read_to_string(path)?;
        let lines: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
        if lines.is_empty() {
            return Err(std::io::Error::other("the Arabic corpus is empty"));
        }
        Ok(Arabic { lines })
    }
}

/// A fictional person: indexes into GIVEN and FAMILY.
#[derive(Clone, Copy)]
pub struct Person {
    pub given: usize,
    pub family: usize,
}

impl Person {
    pub fn random(rng: &mut Rng) -> Person {
        Person { given: rng.zipf(GIVEN.len()), family: rng.below(FAMILY.len()) }
    }
    /// The usual Latin spelling.
    pub fn latin(&self) -> String {
        format!("{} {}", GIVEN[self.given].0[0], FAMILY[self.family].0[0])
    }
    /// Another Latin spelling, chosen at random.
    pub fn latin_variant(&self, rng: &mut Rng) -> String {
        format!("{} {}", rng.pick(GIVEN[self.given].0), rng.pick(FAMILY[self.family].0))
    }
    pub fn arabic(&self) -> String {
        format!("{} {}", GIVEN[self.given].1, FAMILY[self.family].1)
    }
}

fn date(rng: &mut Rng) -> String {
    format!("{}-{:02}-{:02}", 2015 + rng.below(11), 1 + rng.below(12), 1 + rng.below(28))
}

fn fill_template(t: &str, rng: &mut Rng, name: &str, city: &str) -> String {
    t.replace("{name}", name)
        .replace("{city}", city)
        .replace("{date}", &date(rng))
        .replace("{n}", &(2 + rng.below(40)).to_string())
}

fn filler(rng: &mut Rng, words: &[&str]) -> String {
    let n = 6 + rng.below(14);
    let mut s: Vec<&str> = (0..n).map(|_| words[rng.zipf(words.len())]).collect();
    if rng.chance(0.05) {
        let at = rng.below(s.len());
        s[at] = *rng.pick(RARE);
    }
    let mut out = s.join(" ");
    if let Some(first) = out.get(..1) {
        out = first.to_uppercase() + &out[1..];
    }
    out + "."
}

/// One case: a subject with three spellings of their name.
pub fn case(rng: &mut Rng) -> (Person, Value) {
    let p = Person::random(rng);
    let place = *rng.pick(PLACES);
    let title = format!(
        "{} — {}",
        p.latin(),
        rng.pick(&[
            "extradition request",
            "red notice",
            "enforced disappearance",
            "family threatened",
            "passport confiscated"
        ])
    );
    let v = json!({
        "title": title,
        "status": "open",
        "risk": *rng.pick(&["low", "medium", "high", "critical"]),
        "tags": [*rng.pick(&["interpol", "extradition", "surveillance", "family", "travel-ban"])],
        "summary": fill_template(rng.pick_str(EN_TEMPLATES), rng, &p.latin(), place.1),
        "subject": {
            "kind": "person",
            "names": [
                {"name": p.latin(), "kind": "primary"},
                {"name": p.latin_variant(rng), "kind": "transliteration"},
                {"name": p.arabic(), "kind": "native_script"},
            ],
            "nationalities": [*rng.pick(NATIONALITIES)],
            "current_location": {"country": place.0, "locality": place.1},
        },
    });
    (p, v)
}

/// One testimony about `subject`: 40 % Arabic, 30 % French, 30 % English.
pub fn testimony(rng: &mut Rng, ar: &Arabic, subject: Person) -> Value {
    let place = *rng.pick(PLACES);
    let roll = rng.unit();
    let (language, text) = if roll < 0.4 {
        let mut parts = vec![fill_template(rng.pick_str(AR_TEMPLATES), rng, &subject.arabic(), place.2)];
        for _ in 0..(1 + rng.below(4)) {
            parts.push(rng.pick(&ar.lines).clone());
        }
        if rng.chance(0.5) {
            parts.push(fill_template(rng.pick_str(AR_TEMPLATES), rng, &subject.arabic(), place.2));
        }
        if rng.chance(0.05) {
            // A rare word in a Latin-script aside, as testimonies quote names of things.
            parts.push(format!("({})", *rng.pick(RARE)));
        }
        ("ar", parts.join(" "))
    } else {
        let (lang, templates, words) =
            if roll < 0.7 { ("fr", FR_TEMPLATES, FR_WORDS) } else { ("en", EN_TEMPLATES, EN_WORDS) };
        let name = if rng.chance(0.5) { subject.latin() } else { subject.latin_variant(rng) };
        let mut parts = Vec::new();
        for _ in 0..(3 + rng.below(6)) {
            if rng.chance(0.7) {
                parts.push(fill_template(rng.pick_str(templates), rng, &name, place.1));
            } else {
                parts.push(filler(rng, words));
            }
        }
        (lang, parts.join(" "))
    };
    let interviewer = Person::random(rng).latin();
    json!({
        "text": text,
        "language": language,
        "date": date(rng),
        "place": {"country": place.0, "locality": place.1},
        "interviewer": interviewer,
    })
}

/// The queries, by kind. Each is run against both databases.
pub fn queries() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("rare term", vec!["kaleidoscope", "marmalade", "sextant", "quince"]),
        ("common term", vec!["arrested", "famille", "في", "police"]),
        ("phrase", vec!["\"garde à vue\"", "\"without a lawyer\"", "\"في مطار\"", "\"red notice\""]),
        ("prefix", vec!["extrad*", "interrog*", "journalis*", "اعتقل*"]),
        ("name variant", vec!["Muhammad Nakhlaoui", "محمد النخلاوي", "Fatma Essamrani", "Youssouf Kasbaoui"]),
    ]
}

/// Evidence files making up about `total` bytes: half in two long videos, a
/// quarter in eight recordings, a quarter in photos and scans. Returns
/// (file name, size). The 1,000 small notes come from [`small_files`].
pub fn evidence_mix(total: u64) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let video = total / 4;
    for i in 0..2 {
        out.push((format!("video-{i:02}.mp4"), video));
    }
    let audio = total / 32;
    for i in 0..8 {
        out.push((format!("recording-{i:02}.ogg"), audio));
    }
    let photo = total / 4 / 32;
    for i in 0..32 {
        out.push((
            format!("{}-{i:02}.{}", if i % 2 == 0 { "photo" } else { "scan" }, if i % 2 == 0 { "jpg" } else { "pdf" }),
            photo,
        ));
    }
    out
}

/// 1,000 small notes and photos (0.5–16 KiB).
pub fn small_files(rng: &mut Rng) -> Vec<(String, u64)> {
    (0..1000)
        .map(|i| {
            let size = 512 + rng.below(16 * 1024 - 512) as u64;
            (format!("note-{i:04}.{}", if i % 3 == 0 { "jpg" } else { "txt" }), size)
        })
        .collect()
}
