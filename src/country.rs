//! ISO 3166-1 alpha-2 country codes and their display names in English, French and Arabic.
//!
//! Records name a "requesting state" and a "requested state" by alpha-2 code; this
//! module validates those codes and gives the names the UI shows. It is a fixed,
//! offline table: it never allocates at lookup, never panics on any input, never
//! touches the network, and accepts no code outside the table (`UK`, `EU`, `ZZ`
//! and the empty string are all rejected; the United Kingdom is `GB`).
//!
//! The table holds all 249 officially assigned ISO 3166-1 alpha-2 codes plus `XK`
//! (Kosovo: user-assigned, but used by the EU and INTERPOL), 250 entries sorted by
//! code. Names are the CLDR short names for `en`, `fr` and `ar`; for `PS` the CLDR
//! "short" alternative ("Palestine", "فلسطين") is used, since the State of
//! Palestine is the officially assigned name of that code.

/// One entry of the country table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country {
    /// Canonical ISO 3166-1 alpha-2 code, two ASCII upper-case letters (e.g. `"SA"`).
    pub code: &'static str,
    /// English short name (CLDR `en`), e.g. `"Saudi Arabia"`.
    pub en: &'static str,
    /// French short name (CLDR `fr`), e.g. `"Arabie saoudite"`.
    pub fr: &'static str,
    /// Arabic name (CLDR `ar`), e.g. `"المملكة العربية السعودية"`.
    pub ar: &'static str,
}

impl Country {
    /// The name of this country in `lang` (`"en"`, `"fr"` or `"ar"`, ASCII
    /// case-insensitive); any other language falls back to English.
    pub fn name(&self, lang: &str) -> &'static str {
        let lang = lang.trim();
        if lang.eq_ignore_ascii_case("fr") {
            self.fr
        } else if lang.eq_ignore_ascii_case("ar") {
            self.ar
        } else {
            self.en
        }
    }
}

const fn c(code: &'static str, en: &'static str, fr: &'static str, ar: &'static str) -> Country {
    Country { code, en, fr, ar }
}

/// All entries, sorted by code (binary search relies on it; a unit test checks it).
static COUNTRIES: [Country; 250] = [
    c("AD", "Andorra", "Andorre", "أندورا"),
    c("AE", "United Arab Emirates", "Émirats arabes unis", "الإمارات العربية المتحدة"),
    c("AF", "Afghanistan", "Afghanistan", "أفغانستان"),
    c("AG", "Antigua & Barbuda", "Antigua-et-Barbuda", "أنتيغوا وبربودا"),
    c("AI", "Anguilla", "Anguilla", "أنغويلا"),
    c("AL", "Albania", "Albanie", "ألبانيا"),
    c("AM", "Armenia", "Arménie", "أرمينيا"),
    c("AO", "Angola", "Angola", "أنغولا"),
    c("AQ", "Antarctica", "Antarctique", "أنتاركتيكا"),
    c("AR", "Argentina", "Argentine", "الأرجنتين"),
    c("AS", "American Samoa", "Samoa américaines", "ساموا الأمريكية"),
    c("AT", "Austria", "Autriche", "النمسا"),
    c("AU", "Australia", "Australie", "أستراليا"),
    c("AW", "Aruba", "Aruba", "أروبا"),
    c("AX", "Åland Islands", "Îles Åland", "جزر آلاند"),
    c("AZ", "Azerbaijan", "Azerbaïdjan", "أذربيجان"),
    c("BA", "Bosnia & Herzegovina", "Bosnie-Herzégovine", "البوسنة والهرسك"),
    c("BB", "Barbados", "Barbade", "بربادوس"),
    c("BD", "Bangladesh", "Bangladesh", "بنغلاديش"),
    c("BE", "Belgium", "Belgique", "بلجيكا"),
    c("BF", "Burkina Faso", "Burkina Faso", "بوركينا فاسو"),
    c("BG", "Bulgaria", "Bulgarie", "بلغاريا"),
    c("BH", "Bahrain", "Bahreïn", "البحرين"),
    c("BI", "Burundi", "Burundi", "بوروندي"),
    c("BJ", "Benin", "Bénin", "بنين"),
    c("BL", "St. Barthélemy", "Saint-Barthélemy", "سان بارتليمي"),
    c("BM", "Bermuda", "Bermudes", "برمودا"),
    c("BN", "Brunei", "Brunei", "بروناي"),
    c("BO", "Bolivia", "Bolivie", "بوليفيا"),
    c("BQ", "Caribbean Netherlands", "Pays-Bas caribéens", "هولندا الكاريبية"),
    c("BR", "Brazil", "Brésil", "البرازيل"),
    c("BS", "Bahamas", "Bahamas", "جزر البهاما"),
    c("BT", "Bhutan", "Bhoutan", "بوتان"),
    c("BV", "Bouvet Island", "Île Bouvet", "جزيرة بوفيه"),
    c("BW", "Botswana", "Botswana", "بوتسوانا"),
    c("BY", "Belarus", "Biélorussie", "بيلاروس"),
    c("BZ", "Belize", "Belize", "بليز"),
    c("CA", "Canada", "Canada", "كندا"),
    c("CC", "Cocos (Keeling) Islands", "Îles Cocos", "جزر كوكوس (كيلينغ)"),
    c("CD", "Congo - Kinshasa", "Congo-Kinshasa", "الكونغو - كينشاسا"),
    c("CF", "Central African Republic", "République centrafricaine", "جمهورية أفريقيا الوسطى"),
    c("CG", "Congo - Brazzaville", "Congo-Brazzaville", "الكونغو - برازافيل"),
    c("CH", "Switzerland", "Suisse", "سويسرا"),
    c("CI", "Côte d’Ivoire", "Côte d’Ivoire", "ساحل العاج"),
    c("CK", "Cook Islands", "Îles Cook", "جزر كوك"),
    c("CL", "Chile", "Chili", "تشيلي"),
    c("CM", "Cameroon", "Cameroun", "الكاميرون"),
    c("CN", "China", "Chine", "الصين"),
    c("CO", "Colombia", "Colombie", "كولومبيا"),
    c("CR", "Costa Rica", "Costa Rica", "كوستاريكا"),
    c("CU", "Cuba", "Cuba", "كوبا"),
    c("CV", "Cape Verde", "Cap-Vert", "الرأس الأخضر"),
    c("CW", "Curaçao", "Curaçao", "كوراساو"),
    c("CX", "Christmas Island", "Île Christmas", "جزيرة كريسماس"),
    c("CY", "Cyprus", "Chypre", "قبرص"),
    c("CZ", "Czechia", "Tchéquie", "التشيك"),
    c("DE", "Germany", "Allemagne", "ألمانيا"),
    c("DJ", "Djibouti", "Djibouti", "جيبوتي"),
    c("DK", "Denmark", "Danemark", "الدانمرك"),
    c("DM", "Dominica", "Dominique", "دومينيكا"),
    c("DO", "Dominican Republic", "République dominicaine", "جمهورية الدومينيكان"),
    c("DZ", "Algeria", "Algérie", "الجزائر"),
    c("EC", "Ecuador", "Équateur", "الإكوادور"),
    c("EE", "Estonia", "Estonie", "إستونيا"),
    c("EG", "Egypt", "Égypte", "مصر"),
    c("EH", "Western Sahara", "Sahara occidental", "الصحراء الغربية"),
    c("ER", "Eritrea", "Érythrée", "إريتريا"),
    c("ES", "Spain", "Espagne", "إسبانيا"),
    c("ET", "Ethiopia", "Éthiopie", "إثيوبيا"),
    c("FI", "Finland", "Finlande", "فنلندا"),
    c("FJ", "Fiji", "Fidji", "فيجي"),
    c("FK", "Falkland Islands", "Îles Malouines", "جزر فوكلاند"),
    c("FM", "Micronesia", "Micronésie", "ميكرونيزيا"),
    c("FO", "Faroe Islands", "Îles Féroé", "جزر فارو"),
    c("FR", "France", "France", "فرنسا"),
    c("GA", "Gabon", "Gabon", "الغابون"),
    c("GB", "United Kingdom", "Royaume-Uni", "المملكة المتحدة"),
    c("GD", "Grenada", "Grenade", "غرينادا"),
    c("GE", "Georgia", "Géorgie", "جورجيا"),
    c("GF", "French Guiana", "Guyane française", "غويانا الفرنسية"),
    c("GG", "Guernsey", "Guernesey", "غيرنزي"),
    c("GH", "Ghana", "Ghana", "غانا"),
    c("GI", "Gibraltar", "Gibraltar", "جبل طارق"),
    c("GL", "Greenland", "Groenland", "غرينلاند"),
    c("GM", "Gambia", "Gambie", "غامبيا"),
    c("GN", "Guinea", "Guinée", "غينيا"),
    c("GP", "Guadeloupe", "Guadeloupe", "غوادلوب"),
    c("GQ", "Equatorial Guinea", "Guinée équatoriale", "غينيا الاستوائية"),
    c("GR", "Greece", "Grèce", "اليونان"),
    c(
        "GS",
        "South Georgia & South Sandwich Islands",
        "Géorgie du Sud-et-les Îles Sandwich du Sud",
        "جورجيا الجنوبية وجزر ساندويتش الجنوبية",
    ),
    c("GT", "Guatemala", "Guatemala", "غواتيمالا"),
    c("GU", "Guam", "Guam", "غوام"),
    c("GW", "Guinea-Bissau", "Guinée-Bissau", "غينيا بيساو"),
    c("GY", "Guyana", "Guyana", "غيانا"),
    c("HK", "Hong Kong SAR China", "R.A.S. chinoise de Hong Kong", "هونغ كونغ الصينية (منطقة إدارية خاصة)"),
    c("HM", "Heard Island & McDonald Islands", "Îles Heard-et-MacDonald", "جزيرة هيرد وجزر ماكدونالد"),
    c("HN", "Honduras", "Honduras", "هندوراس"),
    c("HR", "Croatia", "Croatie", "كرواتيا"),
    c("HT", "Haiti", "Haïti", "هايتي"),
    c("HU", "Hungary", "Hongrie", "هنغاريا"),
    c("ID", "Indonesia", "Indonésie", "إندونيسيا"),
    c("IE", "Ireland", "Irlande", "أيرلندا"),
    c("IL", "Israel", "Israël", "إسرائيل"),
    c("IM", "Isle of Man", "Île de Man", "جزيرة مان"),
    c("IN", "India", "Inde", "الهند"),
    c(
        "IO",
        "British Indian Ocean Territory",
        "Territoire britannique de l’océan Indien",
        "الإقليم البريطاني في المحيط الهندي",
    ),
    c("IQ", "Iraq", "Irak", "العراق"),
    c("IR", "Iran", "Iran", "إيران"),
    c("IS", "Iceland", "Islande", "آيسلندا"),
    c("IT", "Italy", "Italie", "إيطاليا"),
    c("JE", "Jersey", "Jersey", "جيرسي"),
    c("JM", "Jamaica", "Jamaïque", "جامايكا"),
    c("JO", "Jordan", "Jordanie", "الأردن"),
    c("JP", "Japan", "Japon", "اليابان"),
    c("KE", "Kenya", "Kenya", "كينيا"),
    c("KG", "Kyrgyzstan", "Kirghizstan", "قيرغيزستان"),
    c("KH", "Cambodia", "Cambodge", "كمبوديا"),
    c("KI", "Kiribati", "Kiribati", "كيريباتي"),
    c("KM", "Comoros", "Comores", "جزر القمر"),
    c("KN", "St. Kitts & Nevis", "Saint-Christophe-et-Niévès", "سانت كيتس ونيفيس"),
    c("KP", "North Korea", "Corée du Nord", "كوريا الشمالية"),
    c("KR", "South Korea", "Corée du Sud", "كوريا الجنوبية"),
    c("KW", "Kuwait", "Koweït", "الكويت"),
    c("KY", "Cayman Islands", "Îles Caïmans", "جزر كايمان"),
    c("KZ", "Kazakhstan", "Kazakhstan", "كازاخستان"),
    c("LA", "Laos", "Laos", "لاوس"),
    c("LB", "Lebanon", "Liban", "لبنان"),
    c("LC", "St. Lucia", "Sainte-Lucie", "سانت لوسيا"),
    c("LI", "Liechtenstein", "Liechtenstein", "ليختنشتاين"),
    c("LK", "Sri Lanka", "Sri Lanka", "سريلانكا"),
    c("LR", "Liberia", "Liberia", "ليبيريا"),
    c("LS", "Lesotho", "Lesotho", "ليسوتو"),
    c("LT", "Lithuania", "Lituanie", "ليتوانيا"),
    c("LU", "Luxembourg", "Luxembourg", "لوكسمبورغ"),
    c("LV", "Latvia", "Lettonie", "لاتفيا"),
    c("LY", "Libya", "Libye", "ليبيا"),
    c("MA", "Morocco", "Maroc", "المغرب"),
    c("MC", "Monaco", "Monaco", "موناكو"),
    c("MD", "Moldova", "Moldavie", "مولدوفا"),
    c("ME", "Montenegro", "Monténégro", "الجبل الأسود"),
    c("MF", "St. Martin", "Saint-Martin", "سان مارتن"),
    c("MG", "Madagascar", "Madagascar", "مدغشقر"),
    c("MH", "Marshall Islands", "Îles Marshall", "جزر مارشال"),
    c("MK", "North Macedonia", "Macédoine du Nord", "مقدونيا الشمالية"),
    c("ML", "Mali", "Mali", "مالي"),
    c("MM", "Myanmar (Burma)", "Myanmar (Birmanie)", "ميانمار (بورما)"),
    c("MN", "Mongolia", "Mongolie", "منغوليا"),
    c("MO", "Macao SAR China", "R.A.S. chinoise de Macao", "منطقة ماكاو الإدارية الخاصة"),
    c("MP", "Northern Mariana Islands", "Îles Mariannes du Nord", "جزر ماريانا الشمالية"),
    c("MQ", "Martinique", "Martinique", "جزر المارتينيك"),
    c("MR", "Mauritania", "Mauritanie", "موريتانيا"),
    c("MS", "Montserrat", "Montserrat", "مونتسرات"),
    c("MT", "Malta", "Malte", "مالطا"),
    c("MU", "Mauritius", "Maurice", "موريشيوس"),
    c("MV", "Maldives", "Maldives", "جزر المالديف"),
    c("MW", "Malawi", "Malawi", "ملاوي"),
    c("MX", "Mexico", "Mexique", "المكسيك"),
    c("MY", "Malaysia", "Malaisie", "ماليزيا"),
    c("MZ", "Mozambique", "Mozambique", "موزمبيق"),
    c("NA", "Namibia", "Namibie", "ناميبيا"),
    c("NC", "New Caledonia", "Nouvelle-Calédonie", "كاليدونيا الجديدة"),
    c("NE", "Niger", "Niger", "النيجر"),
    c("NF", "Norfolk Island", "Île Norfolk", "جزيرة نورفولك"),
    c("NG", "Nigeria", "Nigeria", "نيجيريا"),
    c("NI", "Nicaragua", "Nicaragua", "نيكاراغوا"),
    c("NL", "Netherlands", "Pays-Bas", "هولندا"),
    c("NO", "Norway", "Norvège", "النرويج"),
    c("NP", "Nepal", "Népal", "نيبال"),
    c("NR", "Nauru", "Nauru", "ناورو"),
    c("NU", "Niue", "Niue", "نيوي"),
    c("NZ", "New Zealand", "Nouvelle-Zélande", "نيوزيلندا"),
    c("OM", "Oman", "Oman", "عُمان"),
    c("PA", "Panama", "Panama", "بنما"),
    c("PE", "Peru", "Pérou", "بيرو"),
    c("PF", "French Polynesia", "Polynésie française", "بولينيزيا الفرنسية"),
    c("PG", "Papua New Guinea", "Papouasie-Nouvelle-Guinée", "بابوا غينيا الجديدة"),
    c("PH", "Philippines", "Philippines", "الفلبين"),
    c("PK", "Pakistan", "Pakistan", "باكستان"),
    c("PL", "Poland", "Pologne", "بولندا"),
    c("PM", "St. Pierre & Miquelon", "Saint-Pierre-et-Miquelon", "سان بيير ومكويلون"),
    c("PN", "Pitcairn Islands", "Îles Pitcairn", "جزر بيتكيرن"),
    c("PR", "Puerto Rico", "Porto Rico", "بورتوريكو"),
    c("PS", "Palestine", "Palestine", "فلسطين"),
    c("PT", "Portugal", "Portugal", "البرتغال"),
    c("PW", "Palau", "Palaos", "بالاو"),
    c("PY", "Paraguay", "Paraguay", "باراغواي"),
    c("QA", "Qatar", "Qatar", "قطر"),
    c("RE", "Réunion", "La Réunion", "روينيون"),
    c("RO", "Romania", "Roumanie", "رومانيا"),
    c("RS", "Serbia", "Serbie", "صربيا"),
    c("RU", "Russia", "Russie", "روسيا"),
    c("RW", "Rwanda", "Rwanda", "رواندا"),
    c("SA", "Saudi Arabia", "Arabie saoudite", "المملكة العربية السعودية"),
    c("SB", "Solomon Islands", "Îles Salomon", "جزر سليمان"),
    c("SC", "Seychelles", "Seychelles", "سيشل"),
    c("SD", "Sudan", "Soudan", "السودان"),
    c("SE", "Sweden", "Suède", "السويد"),
    c("SG", "Singapore", "Singapour", "سنغافورة"),
    c("SH", "St. Helena, Ascension & Tristan da Cunha", "Sainte-Hélène", "سانت هيلينا"),
    c("SI", "Slovenia", "Slovénie", "سلوفينيا"),
    c("SJ", "Svalbard & Jan Mayen", "Svalbard et Jan Mayen", "سفالبارد وجان ماين"),
    c("SK", "Slovakia", "Slovaquie", "سلوفاكيا"),
    c("SL", "Sierra Leone", "Sierra Leone", "سيراليون"),
    c("SM", "San Marino", "Saint-Marin", "سان مارينو"),
    c("SN", "Senegal", "Sénégal", "السنغال"),
    c("SO", "Somalia", "Somalie", "الصومال"),
    c("SR", "Suriname", "Suriname", "سورينام"),
    c("SS", "South Sudan", "Soudan du Sud", "جنوب السودان"),
    c("ST", "São Tomé & Príncipe", "Sao Tomé-et-Principe", "ساو تومي وبرينسيبي"),
    c("SV", "El Salvador", "Salvador", "السلفادور"),
    c("SX", "Sint Maarten", "Saint-Martin (partie néerlandaise)", "سانت مارتن"),
    c("SY", "Syria", "Syrie", "سوريا"),
    c("SZ", "Eswatini", "Eswatini", "إسواتيني"),
    c("TC", "Turks & Caicos Islands", "Îles Turques-et-Caïques", "جزر توركس وكايكوس"),
    c("TD", "Chad", "Tchad", "تشاد"),
    c("TF", "French Southern and Antarctic Lands", "Terres australes françaises", "الأقاليم الجنوبية الفرنسية"),
    c("TG", "Togo", "Togo", "توغو"),
    c("TH", "Thailand", "Thaïlande", "تايلاند"),
    c("TJ", "Tajikistan", "Tadjikistan", "طاجيكستان"),
    c("TK", "Tokelau", "Tokelau", "توكيلاو"),
    c("TL", "Timor-Leste", "Timor oriental", "تيمور - ليشتي"),
    c("TM", "Turkmenistan", "Turkménistan", "تركمانستان"),
    c("TN", "Tunisia", "Tunisie", "تونس"),
    c("TO", "Tonga", "Tonga", "تونغا"),
    c("TR", "Türkiye", "Turquie", "تركيا"),
    c("TT", "Trinidad & Tobago", "Trinité-et-Tobago", "ترينيداد وتوباغو"),
    c("TV", "Tuvalu", "Tuvalu", "توفالو"),
    c("TW", "Taiwan", "Taïwan", "تايوان"),
    c("TZ", "Tanzania", "Tanzanie", "تنزانيا"),
    c("UA", "Ukraine", "Ukraine", "أوكرانيا"),
    c("UG", "Uganda", "Ouganda", "أوغندا"),
    c("UM", "U.S. Outlying Islands", "Îles mineures éloignées des États-Unis", "جزر الولايات المتحدة النائية"),
    c("US", "United States", "États-Unis", "الولايات المتحدة"),
    c("UY", "Uruguay", "Uruguay", "أورغواي"),
    c("UZ", "Uzbekistan", "Ouzbékistan", "أوزبكستان"),
    c("VA", "Vatican City", "État de la Cité du Vatican", "الفاتيكان"),
    c("VC", "St. Vincent & Grenadines", "Saint-Vincent-et-les Grenadines", "سانت فنسنت وجزر غرينادين"),
    c("VE", "Venezuela", "Venezuela", "فنزويلا"),
    c("VG", "British Virgin Islands", "Îles Vierges britanniques", "جزر فيرجن البريطانية"),
    c("VI", "U.S. Virgin Islands", "Îles Vierges des États-Unis", "جزر فيرجن الأمريكية"),
    c("VN", "Vietnam", "Viêt Nam", "فيتنام"),
    c("VU", "Vanuatu", "Vanuatu", "فانواتو"),
    c("WF", "Wallis & Futuna", "Wallis-et-Futuna", "جزر والس وفوتونا"),
    c("WS", "Samoa", "Samoa", "ساموا"),
    c("XK", "Kosovo", "Kosovo", "كوسوفو"),
    c("YE", "Yemen", "Yémen", "اليمن"),
    c("YT", "Mayotte", "Mayotte", "مايوت"),
    c("ZA", "South Africa", "Afrique du Sud", "جنوب أفريقيا"),
    c("ZM", "Zambia", "Zambie", "زامبيا"),
    c("ZW", "Zimbabwe", "Zimbabwe", "زيمبابوي"),
];

/// Finds the entry for `code`: surrounding whitespace is ignored and letters are
/// matched ASCII case-insensitively (`"sa"`, `" SA "`). Anything that is not
/// exactly two ASCII letters naming an entry of the table gives `None`.
pub fn lookup(code: &str) -> Option<&'static Country> {
    let bytes = code.trim().as_bytes();
    if bytes.len() != 2 || !bytes[0].is_ascii_alphabetic() || !bytes[1].is_ascii_alphabetic() {
        return None;
    }
    let key = [bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase()];
    COUNTRIES.binary_search_by(|country| country.code.as_bytes().cmp(&key[..])).ok().map(|i| &COUNTRIES[i])
}

/// The name of the country `code` in `lang` (`"en"`, `"fr"` or `"ar"`; any other
/// language falls back to English), or `None` when `lookup(code)` finds nothing.
pub fn name(code: &str, lang: &str) -> Option<&'static str> {
    lookup(code).map(|country| country.name(lang))
}

/// The whole table, sorted by code: 250 entries.
pub fn all() -> &'static [Country] {
    &COUNTRIES
}

/// The canonical upper-case code from the table for `code` (`"sa"` gives `"SA"`),
/// or `None` when `lookup(code)` finds nothing.
pub fn normalise(code: &str) -> Option<&'static str> {
    lookup(code).map(|country| country.code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_without_duplicates() {
        for pair in COUNTRIES.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} must come before {}", pair[0].code, pair[1].code);
        }
    }

    #[test]
    fn table_has_249_official_codes_plus_kosovo() {
        assert_eq!(all().len(), 250);
        assert!(all().iter().any(|c| c.code == "XK"));
        assert!(all().iter().any(|c| c.code == "PS"));
    }

    #[test]
    fn every_code_is_two_ascii_upper_case_letters() {
        for country in all() {
            let b = country.code.as_bytes();
            assert_eq!(b.len(), 2, "{:?}", country.code);
            assert!(b.iter().all(u8::is_ascii_uppercase), "{:?}", country.code);
        }
    }

    #[test]
    fn every_name_is_non_empty_and_trimmed() {
        for country in all() {
            for name in [country.en, country.fr, country.ar] {
                assert!(!name.is_empty(), "{}", country.code);
                assert_eq!(name, name.trim(), "{}", country.code);
            }
        }
    }

    #[test]
    fn arabic_names_are_in_arabic_script() {
        for country in all() {
            assert!(
                country.ar.chars().any(|ch| ('\u{0600}'..='\u{06FF}').contains(&ch)),
                "{}: {}",
                country.code,
                country.ar
            );
            assert!(!country.ar.chars().any(|ch| ch.is_ascii_alphabetic()), "{}", country.code);
        }
    }

    #[test]
    fn every_entry_is_found_by_its_code_in_any_case() {
        for country in all() {
            assert_eq!(lookup(country.code), Some(country));
            let lower = country.code.to_ascii_lowercase();
            assert_eq!(lookup(&lower), Some(country));
            assert_eq!(normalise(&lower), Some(country.code));
            let mixed: String =
                lower.chars().enumerate().map(|(i, ch)| if i == 0 { ch.to_ascii_uppercase() } else { ch }).collect();
            assert_eq!(lookup(&mixed), Some(country));
        }
    }

    #[test]
    fn spot_checks_in_three_languages() {
        let expected: &[(&str, &str, &str, &str)] = &[
            ("SA", "Saudi Arabia", "Arabie saoudite", "المملكة العربية السعودية"),
            ("AE", "United Arab Emirates", "Émirats arabes unis", "الإمارات العربية المتحدة"),
            ("EG", "Egypt", "Égypte", "مصر"),
            ("BH", "Bahrain", "Bahreïn", "البحرين"),
            ("QA", "Qatar", "Qatar", "قطر"),
            ("KW", "Kuwait", "Koweït", "الكويت"),
            ("OM", "Oman", "Oman", "عُمان"),
            ("JO", "Jordan", "Jordanie", "الأردن"),
            ("LB", "Lebanon", "Liban", "لبنان"),
            ("SY", "Syria", "Syrie", "سوريا"),
            ("IQ", "Iraq", "Irak", "العراق"),
            ("YE", "Yemen", "Yémen", "اليمن"),
            ("MA", "Morocco", "Maroc", "المغرب"),
            ("DZ", "Algeria", "Algérie", "الجزائر"),
            ("TN", "Tunisia", "Tunisie", "تونس"),
            ("LY", "Libya", "Libye", "ليبيا"),
            ("SD", "Sudan", "Soudan", "السودان"),
            ("TR", "Türkiye", "Turquie", "تركيا"),
            ("RU", "Russia", "Russie", "روسيا"),
            ("CN", "China", "Chine", "الصين"),
            ("IR", "Iran", "Iran", "إيران"),
            ("TJ", "Tajikistan", "Tadjikistan", "طاجيكستان"),
            ("UZ", "Uzbekistan", "Ouzbékistan", "أوزبكستان"),
            ("FR", "France", "France", "فرنسا"),
            ("DE", "Germany", "Allemagne", "ألمانيا"),
            ("GB", "United Kingdom", "Royaume-Uni", "المملكة المتحدة"),
            ("US", "United States", "États-Unis", "الولايات المتحدة"),
            ("CA", "Canada", "Canada", "كندا"),
            ("AU", "Australia", "Australie", "أستراليا"),
            ("SE", "Sweden", "Suède", "السويد"),
            ("NL", "Netherlands", "Pays-Bas", "هولندا"),
            ("BE", "Belgium", "Belgique", "بلجيكا"),
            ("CH", "Switzerland", "Suisse", "سويسرا"),
            ("RS", "Serbia", "Serbie", "صربيا"),
            ("PL", "Poland", "Pologne", "بولندا"),
            ("IT", "Italy", "Italie", "إيطاليا"),
            ("ES", "Spain", "Espagne", "إسبانيا"),
            ("TH", "Thailand", "Thaïlande", "تايلاند"),
            ("MY", "Malaysia", "Malaisie", "ماليزيا"),
            ("ID", "Indonesia", "Indonésie", "إندونيسيا"),
            ("PK", "Pakistan", "Pakistan", "باكستان"),
            ("AF", "Afghanistan", "Afghanistan", "أفغانستان"),
            ("XK", "Kosovo", "Kosovo", "كوسوفو"),
            ("PS", "Palestine", "Palestine", "فلسطين"),
            ("CI", "Côte d’Ivoire", "Côte d’Ivoire", "ساحل العاج"),
        ];
        assert!(expected.len() >= 25);
        for &(code, en, fr, ar) in expected {
            assert_eq!(name(code, "en"), Some(en), "{code} en");
            assert_eq!(name(code, "fr"), Some(fr), "{code} fr");
            assert_eq!(name(code, "ar"), Some(ar), "{code} ar");
        }
    }

    #[test]
    fn invalid_codes_are_rejected() {
        for bad in [
            "UK",
            "uk",
            "EU",
            "ZZ",
            "",
            " ",
            "S",
            "SAU",
            "sau",
            "S A",
            "1A",
            "A1",
            "--",
            "é",
            "ÉG",
            "Ｓ\u{FF21}",
            "s\u{0301}",
            "\0\0",
            "SA\u{0301}",
        ] {
            assert_eq!(lookup(bad), None, "{bad:?}");
            assert_eq!(normalise(bad), None, "{bad:?}");
            assert_eq!(name(bad, "en"), None, "{bad:?}");
        }
    }

    #[test]
    fn input_is_trimmed_and_case_insensitive() {
        assert_eq!(normalise("sa"), Some("SA"));
        assert_eq!(normalise("Sa"), Some("SA"));
        assert_eq!(normalise("  gb\\n"), None, "a literal backslash-n is not whitespace");
        assert_eq!(normalise(" gb\n"), Some("GB"));
        assert_eq!(normalise("\tXk "), Some("XK"));
        assert_eq!(lookup("eg").map(|c| c.en), Some("Egypt"));
    }

    #[test]
    fn unknown_language_falls_back_to_english() {
        assert_eq!(name("SA", "de"), Some("Saudi Arabia"));
        assert_eq!(name("SA", ""), Some("Saudi Arabia"));
        assert_eq!(name("SA", "fra"), Some("Saudi Arabia"));
        assert_eq!(name("SA", "FR"), Some("Arabie saoudite"));
        assert_eq!(name("SA", "Ar"), Some("المملكة العربية السعودية"));
        assert_eq!(lookup("DZ").map(|c| c.name("xx")), Some("Algeria"));
    }

    #[test]
    fn every_two_character_ascii_input_is_handled() {
        let mut found = 0;
        for a in 0u8..128 {
            for b in 0u8..128 {
                let input = [a, b];
                let input = core::str::from_utf8(&input).expect("ASCII is UTF-8");
                let got = lookup(input);
                if let Some(country) = got {
                    found += 1;
                    assert!(a.is_ascii_alphabetic() && b.is_ascii_alphabetic(), "{input:?}");
                    assert!(
                        country.code.eq_ignore_ascii_case(input) || country.code.eq_ignore_ascii_case(input.trim())
                    );
                }
            }
        }
        // Each code is reachable in four letter-case spellings, and nothing else.
        assert_eq!(found, 250 * 4);
    }
}
