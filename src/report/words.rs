//! The words of the drafts in English, French and Arabic: the names of the
//! record values (the same as the app's, ui/src/i18n `enum.*`, checked by
//! tests/reports.rs) and the sentences of the letters.

use serde::{Deserialize, Serialize};

/// A language a draft can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "DraftLang"))]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
    /// Arabic (right to left).
    Ar,
}

impl Lang {
    /// The BCP 47 code.
    pub fn code(&self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Ar => "ar",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            "ar" => Some(Lang::Ar),
            _ => None,
        }
    }

    /// Whether the language is written right to left.
    pub fn rtl(&self) -> bool {
        *self == Lang::Ar
    }

    /// Picks this language's version of a phrase.
    pub fn pick<'a>(&self, phrase: [&'a str; 3]) -> &'a str {
        match self {
            Lang::En => phrase[0],
            Lang::Fr => phrase[1],
            Lang::Ar => phrase[2],
        }
    }

    /// The name of a record value, e.g. `("tactic", "kidnapping")`, or the key itself.
    pub fn value(&self, group: &str, key: &str) -> String {
        let wanted = format!("{group}.{key}");
        VALUES
            .iter()
            .find(|(k, _)| *k == wanted)
            .map(|(_, p)| self.pick(*p).to_string())
            .unwrap_or_else(|| key.to_string())
    }

    /// A country's name in this language, or its code.
    pub fn country(&self, code: &str) -> String {
        crate::country::name(code, self.code()).map(str::to_string).unwrap_or_else(|| code.to_string())
    }
}

/// The names of record values in English, French and Arabic.
pub const VALUES: &[(&str, [&str; 3])] = &[
    ("name_kind.primary", ["Main name", "Nom principal", "الاسم الرئيسي"]),
    ("name_kind.transliteration", ["Other spelling", "Autre graphie", "كتابة أخرى"]),
    ("name_kind.native_script", ["In own script", "Dans son écriture d'origine", "بالخط الأصلي"]),
    ("name_kind.alias", ["Alias", "Alias", "اسم مستعار"]),
    (
        "profile.human_rights_defender",
        ["Human rights defender", "Défenseur des droits humains", "مدافع عن حقوق الإنسان"],
    ),
    ("profile.dissident", ["Dissident", "Dissident", "معارض"]),
    ("profile.journalist", ["Journalist", "Journaliste", "صحفي"]),
    ("profile.protester", ["Protester", "Manifestant", "متظاهر"]),
    ("profile.asylum_seeker", ["Asylum seeker", "Demandeur d'asile", "طالب لجوء"]),
    ("profile.religious_minority", ["Religious minority", "Minorité religieuse", "من أقلية دينية"]),
    ("profile.family_member", ["Family member of a dissident", "Proche d'un dissident", "فرد من عائلة معارض"]),
    ("situation.at_liberty", ["At liberty", "En liberté", "طليق"]),
    ("situation.arrested", ["Arrested", "Arrêté", "موقوف"]),
    (
        "situation.detained_pending_extradition",
        ["Detained pending extradition", "Détenu en attente d'extradition", "محتجز بانتظار التسليم"],
    ),
    ("situation.released", ["Released", "Libéré", "مُفرج عنه"]),
    ("situation.extradited", ["Extradited", "Extradé", "سُلِّم"]),
    ("situation.deported", ["Deported", "Expulsé", "رُحِّل"]),
    ("situation.forcibly_disappeared", ["Forcibly disappeared", "Victime de disparition forcée", "مختفٍ قسرًا"]),
    ("situation.in_exile", ["In exile", "En exil", "في المنفى"]),
    ("situation.killed", ["Killed", "Tué", "قُتل"]),
    (
        "tactic.extradition_proceedings",
        [
            "Politically motivated extradition proceedings",
            "Procédure d'extradition à motivation politique",
            "إجراءات تسليم ذات دوافع سياسية",
        ],
    ),
    (
        "tactic.prosecution_in_absentia",
        ["Criminal prosecution in absentia", "Poursuites pénales par défaut (in absentia)", "ملاحقة جنائية غيابية"],
    ),
    ("tactic.kidnapping", ["Kidnapping", "Enlèvement", "اختطاف"]),
    ("tactic.deportation", ["Deportation", "Expulsion", "ترحيل"]),
    (
        "tactic.terrorism_listing",
        ["Terrorism listing", "Inscription sur une liste terroriste", "إدراج على قوائم الإرهاب"],
    ),
    (
        "tactic.administrative_sanctions",
        [
            "Administrative sanctions (travel ban, asset freeze, passport refusal)",
            "Sanctions administratives (interdiction de voyager, gel des avoirs, refus de passeport)",
            "عقوبات إدارية (حظر سفر، تجميد أصول، رفض جواز سفر)",
        ],
    ),
    ("tactic.killing", ["Killing", "Assassinat", "قتل"]),
    ("tactic.family_harassment", ["Harassment of family", "Harcèlement de la famille", "مضايقة العائلة"]),
    ("tactic.other", ["Other", "Autre", "أخرى"]),
    (
        "instrument_kind.interpol_red_notice",
        ["INTERPOL red notice", "Notice rouge d'INTERPOL", "نشرة حمراء من الإنتربول"],
    ),
    ("instrument_kind.interpol_diffusion", ["INTERPOL diffusion", "Diffusion d'INTERPOL", "تعميم من الإنتربول"]),
    (
        "instrument_kind.aimc_warrant",
        [
            "Arab Interior Ministers' Council (AIMC) warrant",
            "Mandat du Conseil des ministres arabes de l'Intérieur (CMAI)",
            "مذكرة من مجلس وزراء الداخلية العرب",
        ],
    ),
    ("instrument_kind.national_warrant", ["National arrest warrant", "Mandat d'arrêt national", "مذكرة توقيف وطنية"]),
    ("instrument_kind.court_ruling", ["Court ruling", "Décision de justice", "حكم قضائي"]),
    ("instrument_kind.extradition_order", ["Extradition order", "Décret d'extradition", "قرار تسليم"]),
    ("instrument_kind.deportation_order", ["Deportation order", "Arrêté d'expulsion", "قرار ترحيل"]),
    ("instrument_status.active", ["In force", "En vigueur", "سارية"]),
    ("instrument_status.withdrawn", ["Withdrawn", "Retiré", "مسحوبة"]),
    ("instrument_status.unknown", ["Status unknown", "Statut inconnu", "الحالة غير معروفة"]),
    (
        "proceeding_kind.ccf_access",
        [
            "Commission for the Control of INTERPOL's Files (CCF): access request",
            "Commission de contrôle des fichiers d'INTERPOL (CCF) : demande d'accès",
            "لجنة الرقابة على محفوظات الإنتربول: طلب اطّلاع",
        ],
    ),
    (
        "proceeding_kind.ccf_correction",
        [
            "Commission for the Control of INTERPOL's Files (CCF): correction request",
            "Commission de contrôle des fichiers d'INTERPOL (CCF) : demande de rectification",
            "لجنة الرقابة على محفوظات الإنتربول: طلب تصحيح",
        ],
    ),
    (
        "proceeding_kind.ccf_deletion",
        [
            "Commission for the Control of INTERPOL's Files (CCF): deletion request",
            "Commission de contrôle des fichiers d'INTERPOL (CCF) : demande d'effacement",
            "لجنة الرقابة على محفوظات الإنتربول: طلب حذف",
        ],
    ),
    (
        "proceeding_kind.un_special_procedures",
        [
            "UN Special Procedures: urgent appeal or communication",
            "Procédures spéciales de l'ONU : appel urgent ou communication",
            "الإجراءات الخاصة للأمم المتحدة: نداء عاجل أو مراسلة",
        ],
    ),
    (
        "proceeding_kind.wgad",
        [
            "UN Working Group on Arbitrary Detention",
            "Groupe de travail de l'ONU sur la détention arbitraire",
            "الفريق العامل المعني بالاحتجاز التعسفي",
        ],
    ),
    (
        "proceeding_kind.cat_complaint",
        [
            "UN Committee against Torture: individual complaint",
            "Comité contre la torture de l'ONU : plainte individuelle",
            "لجنة مناهضة التعذيب: شكوى فردية",
        ],
    ),
    (
        "proceeding_kind.hrc_complaint",
        [
            "UN Human Rights Committee: individual complaint",
            "Comité des droits de l'homme de l'ONU : plainte individuelle",
            "اللجنة المعنية بحقوق الإنسان: شكوى فردية",
        ],
    ),
    (
        "proceeding_kind.echr_rule39",
        [
            "European Court of Human Rights: interim measures (Rule 39)",
            "Cour européenne des droits de l'homme : mesures provisoires (article 39)",
            "المحكمة الأوروبية لحقوق الإنسان: تدابير مؤقتة (المادة 39)",
        ],
    ),
    (
        "proceeding_kind.national_asylum",
        ["National asylum proceedings", "Procédure d'asile nationale", "إجراءات لجوء وطنية"],
    ),
    (
        "proceeding_kind.national_court",
        ["National court proceedings", "Procédure judiciaire nationale", "إجراءات قضائية وطنية"],
    ),
    ("proceeding_kind.other", ["Other proceeding", "Autre procédure", "إجراء آخر"]),
    ("outcome.granted", ["Granted", "Accueillie", "قُبل"]),
    ("outcome.partly_granted", ["Partly granted", "Partiellement accueillie", "قُبل جزئيًا"]),
    ("outcome.rejected", ["Rejected", "Rejetée", "رُفض"]),
    ("outcome.inadmissible", ["Inadmissible", "Irrecevable", "غير مقبول شكلًا"]),
    ("outcome.withdrawn", ["Withdrawn by the applicant", "Retirée par le demandeur", "سحبه مقدّم الطلب"]),
    ("outcome.closed", ["Closed without a decision", "Close sans décision", "أُغلق دون قرار"]),
    ("relation.subject", ["The subject", "La personne visée", "الشخص المستهدف نفسه"]),
    ("relation.relative", ["A relative", "Un proche", "أحد الأقارب"]),
    ("relation.witness", ["A witness", "Un témoin", "شاهد"]),
    ("relation.lawyer", ["A lawyer", "Un avocat", "محامٍ"]),
    ("relation.other", ["Other", "Autre", "آخر"]),
    ("language.ar", ["Arabic", "Arabe", "العربية"]),
    ("language.fr", ["French", "Français", "الفرنسية"]),
    ("language.en", ["English", "Anglais", "الإنجليزية"]),
];
