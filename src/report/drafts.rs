//! Drafts generated from a case for its lawyers: a case summary, a request to
//! the CCF (access, or correction and deletion), a UN urgent appeal and a
//! request for interim measures, in English, French or Arabic.
//!
//! A draft is built once as a list of blocks, then rendered to Markdown or PDF
//! from the same blocks, so both say the same. The legal grounds are never
//! invented: they are left as clearly marked placeholders for counsel. A
//! source's identity appears only where that source consented to the people
//! the draft is for (see [`DraftKind::consent`]); otherwise only the pseudonym.
//! Private notes never appear in a draft.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::words::Lang;
use crate::dossier::date::Date;
use crate::dossier::model::*;
use crate::dossier::store::{DossierError, StoredRecord};
use crate::dossier::views::{self, CaseOverview};
use crate::report::stats::key_of;

/// What to draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum DraftKind {
    /// A summary of the case for a lawyer.
    CaseSummary,
    /// A request to the Commission for the Control of INTERPOL's Files.
    CcfRequest,
    /// A submission to the UN Special Procedures (urgent appeal).
    UnUrgentAppeal,
    /// A request for interim measures (ECHR Rule 39, UN committees).
    InterimMeasures,
}

impl DraftKind {
    /// Every kind.
    pub const ALL: [DraftKind; 4] =
        [DraftKind::CaseSummary, DraftKind::CcfRequest, DraftKind::UnUrgentAppeal, DraftKind::InterimMeasures];

    /// The stable name ("ccf-request").
    pub fn as_str(&self) -> &'static str {
        match self {
            DraftKind::CaseSummary => "case-summary",
            DraftKind::CcfRequest => "ccf-request",
            DraftKind::UnUrgentAppeal => "un-urgent-appeal",
            DraftKind::InterimMeasures => "interim-measures",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<DraftKind> {
        DraftKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a source's consent lets this draft carry their identity.
    /// A case summary goes to lawyers; an urgent appeal to UN bodies; a
    /// request for interim measures is filed by lawyers with the ECHR or a UN
    /// committee, so it needs both. A CCF request never carries one: the CCF
    /// may consult the national bureau of the very state that pursues the
    /// subject, and no consent covers INTERPOL.
    pub fn consent(&self, c: &Consent) -> bool {
        match self {
            DraftKind::CaseSummary => c.share_with_lawyers,
            DraftKind::UnUrgentAppeal => c.share_with_un,
            DraftKind::InterimMeasures => c.share_with_lawyers && c.share_with_un,
            DraftKind::CcfRequest => false,
        }
    }
}

/// What a CCF request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CcfRequestType {
    /// Access to the data INTERPOL holds.
    #[default]
    Access,
    /// Correction or deletion of the data.
    CorrectionDeletion,
}

/// One block of a draft.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The title.
    Title(String),
    /// The warning that this is an unencrypted draft.
    Notice(String),
    /// A line of the letterhead: label and value.
    Meta(String, String),
    /// A section heading.
    Heading(String),
    /// A paragraph.
    Para(String),
    /// A labelled fact.
    Field(String, String),
    /// An item of a list.
    Bullet(String),
    /// Quoted text (a testimony).
    Quote(String),
    /// A part left for counsel to write.
    Placeholder(String),
}

/// A draft, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// Its language.
    pub lang: Lang,
    /// Its blocks, in order.
    pub blocks: Vec<Block>,
    /// The footer of every page.
    pub footer: String,
}

/// What a draft disclosed about sources, for the person who writes it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SourceDisclosure {
    /// Pseudonyms of the sources whose identity the draft carries (they consented).
    pub identities_included: Vec<String>,
    /// Pseudonyms of the sources shown by pseudonym only.
    pub identities_withheld: Vec<String>,
}

/// The phrases of the drafts: [English, French, Arabic].
mod phrase {
    pub const NOTICE: [&str; 3] = [
        "DRAFT prepared with Amana, to be checked and completed by counsel. This file is not encrypted: keep it safe and delete it when it is no longer needed.",
        "PROJET préparé avec Amana, à vérifier et compléter par l'avocat. Ce fichier n'est pas chiffré : conservez-le en lieu sûr et supprimez-le dès qu'il n'est plus utile.",
        "مسودة أعدت باستخدام أمانة، يراجعها المحامي ويستكملها. هذا الملف غير مشفر: احفظه في مكان آمن واحذفه عندما لا تعود بحاجة إليه.",
    ];
    pub const FOOTER: [&str; 3] = ["Draft, not encrypted", "Projet, non chiffré", "مسودة غير مشفرة"];
    pub const TO_COMPLETE: [&str; 3] =
        ["[TO BE COMPLETED BY COUNSEL: {}]", "[À COMPLÉTER PAR L'AVOCAT : {}]", "[يستكمله المحامي: {}]"];
    pub const DATE: [&str; 3] = ["Date", "Date", "التاريخ"];
    pub const CASE: [&str; 3] = ["Case", "Dossier", "القضية"];
    pub const REFERENCE_AMANA: [&str; 3] = ["Case reference", "Référence du dossier", "مرجع القضية"];
    pub const NONE_RECORDED: [&str; 3] = ["None recorded.", "Rien d'enregistré.", "لا شيء مسجل."];

    pub const CASE_SUMMARY: [&str; 3] = ["Case summary", "Résumé du dossier", "ملخص القضية"];
    pub const SUBJECT: [&str; 3] = ["The person concerned", "La personne concernée", "الشخص المعني"];
    pub const NAME: [&str; 3] = ["Name", "Nom", "الاسم"];
    pub const OTHER_NAMES: [&str; 3] = ["Other names", "Autres noms", "أسماء أخرى"];
    pub const NATIONALITY: [&str; 3] = ["Nationality", "Nationalité", "الجنسية"];
    pub const BORN: [&str; 3] = ["Born", "Date de naissance", "تاريخ الميلاد"];
    pub const PROFILE: [&str; 3] = ["Profile", "Profil", "الصفة"];
    pub const LOCATION: [&str; 3] = ["Current location", "Lieu actuel", "المكان الحالي"];
    pub const SITUATION_NOW: [&str; 3] = ["Current situation", "Situation actuelle", "الوضع الحالي"];
    pub const DAYS_SINCE_ARREST: [&str; 3] =
        ["Days since arrest", "Jours depuis l'arrestation", "عدد الأيام منذ التوقيف"];
    pub const SUMMARY: [&str; 3] = ["Summary", "Résumé", "الملخص"];
    pub const SITUATIONS: [&str; 3] = ["Situation history", "Historique de la situation", "تسلسل الأوضاع"];
    pub const INCIDENTS: [&str; 3] = ["Incidents", "Incidents", "الحوادث"];
    pub const INSTRUMENTS: [&str; 3] =
        ["Notices, warrants and rulings", "Notices, mandats et décisions", "النشرات والمذكرات والأحكام"];
    pub const PROCEEDINGS: [&str; 3] = ["Proceedings", "Procédures", "الإجراءات"];
    pub const TESTIMONIES: [&str; 3] = ["Testimonies", "Témoignages", "الشهادات"];
    pub const EVIDENCE: [&str; 3] = ["Evidence", "Pièces", "الأدلة"];
    pub const REQUESTING: [&str; 3] = ["requesting state", "État requérant", "الدولة الطالبة"];
    pub const REQUESTED: [&str; 3] = ["requested state", "État requis", "الدولة المطلوب منها"];
    pub const ISSUED_BY: [&str; 3] = ["issued by", "émise par", "صادرة عن"];
    pub const REFERENCE: [&str; 3] = ["reference", "référence", "المرجع"];
    pub const ISSUED_ON: [&str; 3] = ["issued", "émise le", "تاريخ الإصدار"];
    pub const LEARNT_ON: [&str; 3] = ["learnt of", "connue le", "تاريخ العلم بها"];
    pub const WITHDRAWN_ON: [&str; 3] = ["withdrawn", "retirée le", "تاريخ السحب"];
    pub const FILED_ON: [&str; 3] = ["filed", "déposée le", "تاريخ التقديم"];
    pub const DECIDED_ON: [&str; 3] = ["decided", "décidée le", "تاريخ القرار"];
    pub const DEADLINE: [&str; 3] = ["deadline", "échéance", "الموعد النهائي"];
    pub const PENDING_DAYS: [&str; 3] = ["pending for {} days", "en attente depuis {} jours", "قيد النظر منذ {} يوما"];
    pub const TOOK_DAYS: [&str; 3] = ["decided after {} days", "décidée après {} jours", "صدر القرار بعد {} يوما"];
    pub const INTERIM_REQUESTED: [&str; 3] =
        ["interim measures requested", "mesures provisoires demandées le", "طلبت تدابير مؤقتة في"];
    pub const INTERIM_GRANTED: [&str; 3] = ["granted", "accordées le", "منحت في"];
    pub const INTERIM_NOT_RESPECTED: [&str; 3] =
        ["not respected by the state", "non respectées par l'État", "لم تحترمها الدولة"];
    pub const SOURCE: [&str; 3] = ["Source", "Source", "المصدر"];
    pub const PSEUDONYM: [&str; 3] = ["pseudonym", "pseudonyme", "اسم مستعار"];
    pub const IDENTITY_WITHHELD: [&str; 3] = [
        "identity withheld (no consent for this use)",
        "identité non communiquée (pas de consentement pour cet usage)",
        "الهوية محجوبة (لا موافقة على هذا الاستخدام)",
    ];
    pub const SHA256: [&str; 3] = ["SHA-256", "SHA-256", "SHA-256"];

    pub const CCF_TITLE: [&str; 3] = [
        "Request to the Commission for the Control of INTERPOL's Files (CCF)",
        "Requête auprès de la Commission de contrôle des fichiers d'INTERPOL (CCF)",
        "طلب إلى لجنة الرقابة على محفوظات الإنتربول",
    ];
    pub const CCF_ACCESS: [&str; 3] = [
        "Request for access to the data concerning the applicant",
        "Demande d'accès aux données concernant le requérant",
        "طلب الاطلاع على البيانات المتعلقة بمقدم الطلب",
    ];
    pub const CCF_CORRECTION: [&str; 3] = [
        "Request for correction or deletion of the data concerning the applicant",
        "Demande de rectification ou d'effacement des données concernant le requérant",
        "طلب تصحيح البيانات المتعلقة بمقدم الطلب أو حذفها",
    ];
    pub const APPLICANT: [&str; 3] = ["The applicant", "Le requérant", "مقدم الطلب"];
    pub const DATA_CONCERNED: [&str; 3] =
        ["The notices and diffusions concerned", "Les notices et diffusions concernées", "النشرات والتعميمات المعنية"];
    pub const NO_NOTICE_KNOWN: [&str; 3] = [
        "the reference of the notice or diffusion, if known",
        "la référence de la notice ou de la diffusion, si elle est connue",
        "مرجع النشرة أو التعميم إن كان معروفا",
    ];
    pub const FACTS: [&str; 3] = ["The facts", "Les faits", "الوقائع"];
    pub const GROUNDS: [&str; 3] = ["Grounds", "Moyens", "الأسباب"];
    pub const GROUND_ARTICLE3: [&str; 3] = [
        "the predominantly political character of the request (Article 3 of INTERPOL's Constitution)",
        "le caractère essentiellement politique de la demande (article 3 du Statut d'INTERPOL)",
        "الطابع السياسي الغالب للطلب (المادة 3 من القانون الأساسي للإنتربول)",
    ];
    pub const GROUND_ARTICLE2: [&str; 3] = [
        "respect for human rights in the spirit of the Universal Declaration of Human Rights (Article 2 of INTERPOL's Constitution)",
        "le respect des droits humains dans l'esprit de la Déclaration universelle des droits de l'homme (article 2 du Statut d'INTERPOL)",
        "احترام حقوق الإنسان بروح الإعلان العالمي لحقوق الإنسان (المادة 2 من القانون الأساسي للإنتربول)",
    ];
    pub const GROUND_RPD: [&str; 3] = [
        "the compliance of the data with INTERPOL's Rules on the Processing of Data (accuracy, relevance, interest for international police cooperation)",
        "la conformité des données au Règlement d'INTERPOL sur le traitement des données (exactitude, pertinence, intérêt pour la coopération policière internationale)",
        "مدى مطابقة البيانات لقواعد الإنتربول لمعالجة البيانات (الدقة والصلة والفائدة للتعاون الشرطي الدولي)",
    ];
    pub const ACCESS_PURPOSE: [&str; 3] = [
        "why the applicant asks for access (optional for an access request)",
        "les raisons de la demande d'accès (facultatif pour une demande d'accès)",
        "أسباب طلب الاطلاع (اختياري في طلب الاطلاع)",
    ];
    pub const OTHER_PROCEEDINGS: [&str; 3] = ["Other proceedings", "Autres procédures", "إجراءات أخرى"];
    pub const ENCLOSURES: [&str; 3] = ["Enclosures", "Pièces jointes", "المرفقات"];
    pub const SIGNATURE: [&str; 3] = [
        "date, and signature of the applicant or of counsel with a power of attorney",
        "date, et signature du requérant ou de l'avocat muni d'un mandat",
        "التاريخ وتوقيع مقدم الطلب أو المحامي الموكل",
    ];

    pub const UN_TITLE: [&str; 3] = [
        "Submission to the UN Special Procedures: urgent appeal",
        "Communication aux procédures spéciales des Nations unies : appel urgent",
        "بلاغ إلى الإجراءات الخاصة للأمم المتحدة: نداء عاجل",
    ];
    pub const VICTIM: [&str; 3] = ["The victim", "La victime", "الضحية"];
    pub const PERPETRATORS: [&str; 3] = ["Alleged perpetrators", "Auteurs présumés", "الجهات المسؤولة المزعومة"];
    pub const AUTHORITIES_OF: [&str; 3] = ["The authorities of {}", "Les autorités de l'État suivant : {}", "سلطات {}"];
    pub const NAME_AUTHORITIES: [&str; 3] = [
        "the authorities, agencies and officials involved",
        "les autorités, services et agents impliqués",
        "السلطات والأجهزة والمسؤولون المعنيون",
    ];
    pub const CIRCUMSTANCES: [&str; 3] = ["Circumstances", "Circonstances", "الظروف"];
    pub const STEPS_TAKEN: [&str; 3] = ["Steps taken", "Démarches entreprises", "الخطوات المتخذة"];
    pub const CONSENT: [&str; 3] = ["Consent", "Consentement", "الموافقة"];
    pub const CONSENT_UN: [&str; 3] = [
        "consents to sharing with UN bodies",
        "consent au partage avec les organes de l'ONU",
        "يوافق على المشاركة مع هيئات الأمم المتحدة",
    ];
    pub const CONSENT_PUBLISH: [&str; 3] = ["consents to publication", "consent à la publication", "يوافق على النشر"];
    pub const YES: [&str; 3] = ["yes", "oui", "نعم"];
    pub const NO: [&str; 3] = ["no", "non", "لا"];
    pub const CONFIRM_CONSENT: [&str; 3] = [
        "confirm the consent of the victim or the family to this submission, and whether the name may be made public",
        "confirmer le consentement de la victime ou de la famille à cette communication, et si le nom peut être rendu public",
        "تأكيد موافقة الضحية أو العائلة على هذا البلاغ، وما إذا كان يجوز نشر الاسم",
    ];
    pub const ACTION_REQUESTED: [&str; 3] = ["Action requested", "Mesures demandées", "الإجراء المطلوب"];
    pub const UN_ACTION: [&str; 3] = [
        "the urgent action asked of the mandate holders",
        "l'intervention urgente demandée aux titulaires de mandat",
        "التدخل العاجل المطلوب من المكلفين بالولايات",
    ];

    pub const INTERIM_TITLE: [&str; 3] =
        ["Request for interim measures", "Demande de mesures provisoires", "طلب تدابير مؤقتة"];
    pub const ADDRESSEE: [&str; 3] = ["To", "Destinataire", "إلى"];
    pub const BODY_ECHR: [&str; 3] = [
        "European Court of Human Rights (Rule 39 of the Rules of Court)",
        "Cour européenne des droits de l'homme (article 39 du règlement de la Cour)",
        "المحكمة الأوروبية لحقوق الإنسان (المادة 39 من لائحة المحكمة)",
    ];
    pub const BODY_CAT: [&str; 3] = [
        "UN Committee against Torture (rule 114 of its rules of procedure)",
        "Comité des Nations unies contre la torture (article 114 de son règlement intérieur)",
        "لجنة الأمم المتحدة لمناهضة التعذيب (المادة 114 من نظامها الداخلي)",
    ];
    pub const BODY_HRC: [&str; 3] = [
        "UN Human Rights Committee (rule 94 of its rules of procedure)",
        "Comité des droits de l'homme des Nations unies (article 94 de son règlement intérieur)",
        "اللجنة المعنية بحقوق الإنسان التابعة للأمم المتحدة (المادة 94 من نظامها الداخلي)",
    ];
    pub const BODY_UNKNOWN: [&str; 3] =
        ["the court or committee seized", "la juridiction ou le comité saisi", "المحكمة أو اللجنة المختصة"];
    pub const IMMINENT_RISK: [&str; 3] = ["Imminent risk", "Risque imminent", "الخطر الداهم"];
    pub const REMOVAL_DATE: [&str; 3] = [
        "the date of the planned extradition or removal, if known",
        "la date prévue de l'extradition ou de l'éloignement, si elle est connue",
        "تاريخ التسليم أو الترحيل المقرر إن كان معروفا",
    ];
    pub const RISK_ON_RETURN: [&str; 3] = ["Risk on return", "Risques en cas de retour", "المخاطر عند الإعادة"];
    pub const RISK_GROUNDS: [&str; 3] = [
        "the real risk of torture or ill-treatment and of a flagrantly unfair trial (Articles 3 and 6 ECHR, Article 3 of the Convention against Torture, Article 7 ICCPR), with the sources that show it",
        "le risque réel de torture ou de mauvais traitements et de déni flagrant de justice (articles 3 et 6 CEDH, article 3 de la Convention contre la torture, article 7 PIDCP), avec les sources qui l'établissent",
        "الخطر الحقيقي للتعذيب أو سوء المعاملة والمحاكمة الجائرة بشكل صارخ (المادتان 3 و6 من الاتفاقية الأوروبية، والمادة 3 من اتفاقية مناهضة التعذيب، والمادة 7 من العهد الدولي)، مع المصادر التي تثبت ذلك",
    ];
    pub const MEASURE_REQUESTED: [&str; 3] = ["Measure requested", "Mesure demandée", "التدبير المطلوب"];
    pub const MEASURE: [&str; 3] = [
        "The applicant asks that {requested} be requested not to extradite or remove the applicant to {requesting} while the application is examined.",
        "Le requérant demande qu'il soit indiqué à l'État suivant : {requested}, de ne pas l'extrader ni l'éloigner vers l'État suivant : {requesting}, pendant l'examen de la requête.",
        "يطلب مقدم الطلب أن يطلب من {requested} عدم تسليمه أو ترحيله إلى {requesting} طوال مدة النظر في الطلب.",
    ];
    pub const THE_REQUESTED_STATE: [&str; 3] = ["the requested state", "l'État requis", "الدولة المطلوب منها"];
    pub const THE_REQUESTING_STATE: [&str; 3] = ["the requesting state", "l'État requérant", "الدولة الطالبة"];
}

fn fill(template: &str, value: &str) -> String {
    template.replacen("{}", value, 1)
}

/// Everything a draft is built from.
struct Ctx<'a> {
    lang: Lang,
    kind: DraftKind,
    case_id: Uuid,
    case: &'a Case,
    o: &'a CaseOverview,
    today: Date,
}

impl Ctx<'_> {
    fn t(&self, p: [&'static str; 3]) -> String {
        self.lang.pick(p).to_string()
    }

    fn placeholder(&self, what: [&'static str; 3]) -> Block {
        Block::Placeholder(fill(self.lang.pick(phrase::TO_COMPLETE), self.lang.pick(what)))
    }

    fn value<T: Serialize>(&self, group: &str, v: &T) -> String {
        self.lang.value(group, &key_of(v))
    }

    fn country(&self, c: &CountryCode) -> String {
        self.lang.country(c.as_str())
    }

    fn list_sep(&self) -> &'static str {
        if self.lang == Lang::Ar {
            "، "
        } else {
            ", "
        }
    }

    fn join(&self, parts: Vec<String>) -> String {
        parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(self.list_sep())
    }

    fn dated(&self, label: [&'static str; 3], d: Option<impl std::fmt::Display>) -> String {
        d.map(|d| format!("{} {}", self.t(label), self.ltr(d))).unwrap_or_default()
    }

    /// A date, reference or digest, kept left to right inside Arabic text
    /// (without an isolate, "2024-03-10" after Arabic letters reads 10-03-2024).
    fn ltr(&self, v: impl std::fmt::Display) -> String {
        if self.lang.rtl() {
            format!("\u{2066}{v}\u{2069}")
        } else {
            v.to_string()
        }
    }

    /// Text the user wrote (a note, a description), of either direction,
    /// isolated inside Arabic text so that its own first letter sets its
    /// direction: "Stopped at the border." keeps its full stop at its end
    /// instead of having it drawn on the Arabic side (UAX #9, rule N1).
    fn own_words(&self, text: &str) -> String {
        if self.lang.rtl() {
            format!("\u{2068}{text}\u{2069}")
        } else {
            text.to_string()
        }
    }

    fn header(&self, title: [&'static str; 3], subtitle: Option<String>) -> Vec<Block> {
        let mut b = vec![Block::Title(self.t(title))];
        if let Some(s) = subtitle {
            b.push(Block::Para(s));
        }
        b.push(Block::Notice(self.t(phrase::NOTICE)));
        b.push(Block::Meta(self.t(phrase::DATE), self.ltr(self.today)));
        if !self.case.title.trim().is_empty() {
            b.push(Block::Meta(self.t(phrase::CASE), self.case.title.clone()));
        }
        b.push(Block::Meta(self.t(phrase::REFERENCE_AMANA), self.ltr(self.case_id)));
        b
    }

    fn subject(&self, heading: [&'static str; 3]) -> Vec<Block> {
        let s = &self.case.subject;
        let mut b = vec![Block::Heading(self.t(heading))];
        if let Some(first) = s.names.first() {
            b.push(Block::Field(self.t(phrase::NAME), first.name.clone()));
        }
        let others: Vec<String> =
            s.names.iter().skip(1).map(|n| format!("{} ({})", n.name, self.value("name_kind", &n.kind))).collect();
        if !others.is_empty() {
            b.push(Block::Field(self.t(phrase::OTHER_NAMES), self.join(others)));
        }
        if !s.nationalities.is_empty() {
            b.push(Block::Field(
                self.t(phrase::NATIONALITY),
                self.join(s.nationalities.iter().map(|c| self.country(c)).collect()),
            ));
        }
        if let Some(born) = s.born {
            b.push(Block::Field(self.t(phrase::BORN), self.ltr(born)));
        }
        if !s.profiles.is_empty() {
            b.push(Block::Field(
                self.t(phrase::PROFILE),
                self.join(s.profiles.iter().map(|p| self.value("profile", p)).collect()),
            ));
        }
        if let Some(place) = &s.current_location {
            let parts =
                vec![place.locality.clone(), place.country.as_ref().map(|c| self.country(c)).unwrap_or_default()];
            b.push(Block::Field(self.t(phrase::LOCATION), self.join(parts)));
        }
        if let Some(sit) = &self.o.current_situation {
            b.push(Block::Field(self.t(phrase::SITUATION_NOW), self.value("situation", sit)));
        }
        if let Some(days) = self.o.days_since_arrest {
            b.push(Block::Field(self.t(phrase::DAYS_SINCE_ARREST), days.to_string()));
        }
        b
    }

    fn section(&self, heading: [&'static str; 3], items: Vec<Block>) -> Vec<Block> {
        let mut b = vec![Block::Heading(self.t(heading))];
        if items.is_empty() {
            b.push(Block::Para(self.t(phrase::NONE_RECORDED)));
        } else {
            b.extend(items);
        }
        b
    }

    fn situations(&self) -> Vec<Block> {
        records_of(&self.o.situations, |r| match r {
            Record::Situation(s) => Some(s),
            _ => None,
        })
        .map(|s| {
            let place = s
                .place
                .as_ref()
                .map(|p| {
                    self.join(vec![p.locality.clone(), p.country.as_ref().map(|c| self.country(c)).unwrap_or_default()])
                })
                .unwrap_or_default();
            let mut line = format!("{}: {}", self.ltr(s.date), self.value("situation", &s.situation));
            if !place.is_empty() {
                line.push_str(&format!(" ({place})"));
            }
            if !s.notes.trim().is_empty() {
                line.push_str(&format!(". {}", self.own_words(s.notes.trim())));
            }
            Block::Bullet(line)
        })
        .collect()
    }

    fn incidents(&self) -> Vec<Block> {
        let mut v: Vec<&Incident> = records_of(&self.o.incidents, |r| match r {
            Record::Incident(i) => Some(i),
            _ => None,
        })
        .collect();
        v.sort_by_key(|i| i.date);
        v.into_iter()
            .map(|i| {
                let mut parts = vec![format!("{}: {}", self.t(phrase::REQUESTING), self.country(&i.requesting_state))];
                if let Some(r) = &i.requested_state {
                    parts.push(format!("{}: {}", self.t(phrase::REQUESTED), self.country(r)));
                }
                let mut line =
                    format!("{}: {} ({})", self.ltr(i.date), self.value("tactic", &i.tactic), self.join(parts));
                if !i.description.trim().is_empty() {
                    line.push_str(&format!(". {}", self.own_words(i.description.trim())));
                }
                Block::Bullet(line)
            })
            .collect()
    }

    fn instruments(&self, only_interpol: bool) -> Vec<Block> {
        records_of(&self.o.instruments, |r| match r {
            Record::Instrument(i) => Some(i),
            _ => None,
        })
        .filter(|i| {
            !only_interpol || matches!(i.kind, InstrumentKind::InterpolRedNotice | InstrumentKind::InterpolDiffusion)
        })
        .map(|i| {
            let mut parts = vec![format!("{} {}", self.t(phrase::ISSUED_BY), self.country(&i.issuing_state))];
            if !i.reference.trim().is_empty() {
                parts.push(format!("{} {}", self.t(phrase::REFERENCE), self.ltr(i.reference.trim())));
            }
            parts.push(self.dated(phrase::ISSUED_ON, i.issued_on));
            parts.push(self.dated(phrase::LEARNT_ON, i.learnt_on));
            parts.push(self.dated(phrase::WITHDRAWN_ON, i.withdrawn_on));
            parts.push(self.value("instrument_status", &i.status));
            let mut line = format!("{}: {}", self.value("instrument_kind", &i.kind), self.join(parts));
            if !i.notes.trim().is_empty() {
                line.push_str(&format!(". {}", self.own_words(i.notes.trim())));
            }
            Block::Bullet(line)
        })
        .collect()
    }

    fn proceedings(&self, skip_ccf: bool) -> Vec<Block> {
        self.o
            .proceedings
            .iter()
            .filter_map(|st| match &st.record.record {
                Record::Proceeding(p) => Some((st, p)),
                _ => None,
            })
            .filter(|(_, p)| {
                !skip_ccf
                    || !matches!(
                        p.kind,
                        ProceedingKind::CcfAccess | ProceedingKind::CcfCorrection | ProceedingKind::CcfDeletion
                    )
            })
            .map(|(st, p)| {
                let mut parts = Vec::new();
                if !p.reference.trim().is_empty() {
                    parts.push(format!("{} {}", self.t(phrase::REFERENCE), self.ltr(p.reference.trim())));
                }
                parts.push(self.dated(phrase::FILED_ON, p.filed_on));
                parts.push(self.dated(phrase::DECIDED_ON, p.decided_on));
                if let Some(o) = &p.outcome {
                    parts.push(self.value("outcome", o));
                }
                if let Some(days) = st.days_pending {
                    let template = if st.open { phrase::PENDING_DAYS } else { phrase::TOOK_DAYS };
                    parts.push(fill(self.lang.pick(template), &days.to_string()));
                }
                if st.open {
                    parts.push(self.dated(phrase::DEADLINE, p.deadline));
                }
                if let Some(im) = &p.interim_measures {
                    parts.push(self.dated(phrase::INTERIM_REQUESTED, im.requested_on));
                    parts.push(self.dated(phrase::INTERIM_GRANTED, im.granted_on));
                    if im.respected == Some(false) {
                        parts.push(self.t(phrase::INTERIM_NOT_RESPECTED));
                    }
                }
                let forum = if p.forum.trim().is_empty() { String::new() } else { format!(" ({})", p.forum.trim()) };
                Block::Bullet(format!("{}{forum}: {}", self.value("proceeding_kind", &p.kind), self.join(parts)))
            })
            .collect()
    }

    /// A source as this draft may show them, and whether the identity is shown.
    fn source_label(&self, s: &Source) -> (String, bool) {
        let relation = self.value("relation", &s.relation);
        match &s.identity {
            Some(id) if self.kind.consent(&s.consent) && !id.full_name.trim().is_empty() => (
                format!("{} ({} \"{}\"; {relation})", id.full_name.trim(), self.t(phrase::PSEUDONYM), s.pseudonym),
                true,
            ),
            _ => (
                format!(
                    "\"{}\" ({}; {relation}; {})",
                    s.pseudonym,
                    self.t(phrase::PSEUDONYM),
                    self.t(phrase::IDENTITY_WITHHELD)
                ),
                false,
            ),
        }
    }

    fn sources(&self) -> Vec<(Uuid, &Source)> {
        self.o
            .sources
            .iter()
            .filter_map(|r| match &r.record {
                Record::Source(s) => Some((r.id, s)),
                _ => None,
            })
            .collect()
    }

    fn testimonies(&self, with_text: bool) -> Vec<Block> {
        let sources = self.sources();
        let mut out = Vec::new();
        for r in &self.o.testimonies {
            let Record::Testimony(t) = &r.record else { continue };
            let who = t
                .source_id
                .and_then(|id| sources.iter().find(|(sid, _)| *sid == id))
                .map(|(_, s)| self.source_label(s).0);
            let mut parts =
                vec![t.date.map(|d| self.ltr(d)).unwrap_or_default(), self.lang.value("language", &t.language)];
            if let Some(w) = who {
                parts.push(format!("{}: {w}", self.t(phrase::SOURCE)));
            }
            out.push(Block::Bullet(self.join(parts)));
            if with_text {
                out.push(Block::Quote(t.text.trim().to_string()));
            }
        }
        out
    }

    fn evidence(&self) -> Vec<Block> {
        records_of(&self.o.evidence, |r| match r {
            Record::Evidence(e) => Some(e),
            _ => None,
        })
        .map(|e| {
            let desc = if e.description.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", self.own_words(e.description.trim()))
            };
            Block::Bullet(format!(
                "{}{desc} ({} {})",
                self.ltr(&e.file_name),
                self.t(phrase::SHA256),
                self.ltr(&e.sha256)
            ))
        })
        .collect()
    }

    fn states(&self) -> (Vec<CountryCode>, Vec<CountryCode>) {
        let mut requesting = Vec::new();
        let mut requested = Vec::new();
        for i in records_of(&self.o.incidents, |r| match r {
            Record::Incident(i) => Some(i),
            _ => None,
        }) {
            if !requesting.contains(&i.requesting_state) {
                requesting.push(i.requesting_state.clone());
            }
            if let Some(r) = &i.requested_state {
                if !requested.contains(r) {
                    requested.push(r.clone());
                }
            }
        }
        (requesting, requested)
    }
}

fn records_of<'a, T: 'a>(
    records: &'a [StoredRecord],
    pick: impl Fn(&'a Record) -> Option<&'a T> + 'a,
) -> impl Iterator<Item = &'a T> + 'a {
    records.iter().filter_map(move |r| pick(&r.record))
}

fn case_summary(c: &Ctx<'_>) -> Vec<Block> {
    let mut b = c.header(phrase::CASE_SUMMARY, None);
    b.extend(c.subject(phrase::SUBJECT));
    if !c.case.summary.trim().is_empty() {
        b.push(Block::Heading(c.t(phrase::SUMMARY)));
        b.push(Block::Para(c.case.summary.trim().to_string()));
    }
    b.extend(c.section(phrase::SITUATIONS, c.situations()));
    b.extend(c.section(phrase::INCIDENTS, c.incidents()));
    b.extend(c.section(phrase::INSTRUMENTS, c.instruments(false)));
    b.extend(c.section(phrase::PROCEEDINGS, c.proceedings(false)));
    b.extend(c.section(phrase::TESTIMONIES, c.testimonies(true)));
    b.extend(c.section(phrase::EVIDENCE, c.evidence()));
    b
}

fn ccf_request(c: &Ctx<'_>, t: CcfRequestType) -> Vec<Block> {
    let what = match t {
        CcfRequestType::Access => phrase::CCF_ACCESS,
        CcfRequestType::CorrectionDeletion => phrase::CCF_CORRECTION,
    };
    let mut b = c.header(phrase::CCF_TITLE, Some(c.t(what)));
    b.extend(c.subject(phrase::APPLICANT));
    b.push(Block::Heading(c.t(phrase::DATA_CONCERNED)));
    let notices = c.instruments(true);
    if notices.is_empty() {
        b.push(c.placeholder(phrase::NO_NOTICE_KNOWN));
    } else {
        b.extend(notices);
    }
    let mut facts = c.incidents();
    facts.extend(c.situations());
    b.extend(c.section(phrase::FACTS, facts));
    b.push(Block::Heading(c.t(phrase::GROUNDS)));
    match t {
        CcfRequestType::Access => b.push(c.placeholder(phrase::ACCESS_PURPOSE)),
        CcfRequestType::CorrectionDeletion => {
            b.push(c.placeholder(phrase::GROUND_ARTICLE3));
            b.push(c.placeholder(phrase::GROUND_ARTICLE2));
            b.push(c.placeholder(phrase::GROUND_RPD));
        }
    }
    b.extend(c.section(phrase::OTHER_PROCEEDINGS, c.proceedings(true)));
    b.extend(c.section(phrase::ENCLOSURES, c.evidence()));
    b.push(c.placeholder(phrase::SIGNATURE));
    b
}

fn un_urgent_appeal(c: &Ctx<'_>) -> Vec<Block> {
    let mut b = c.header(phrase::UN_TITLE, None);
    b.extend(c.subject(phrase::VICTIM));
    b.push(Block::Heading(c.t(phrase::PERPETRATORS)));
    let (requesting, requested) = c.states();
    for s in requesting.iter().chain(&requested) {
        b.push(Block::Bullet(fill(c.lang.pick(phrase::AUTHORITIES_OF), &c.country(s))));
    }
    b.push(c.placeholder(phrase::NAME_AUTHORITIES));
    let mut circ = c.incidents();
    circ.extend(c.situations());
    circ.extend(c.instruments(false));
    b.extend(c.section(phrase::CIRCUMSTANCES, circ));
    b.extend(c.section(phrase::STEPS_TAKEN, c.proceedings(false)));
    b.push(Block::Heading(c.t(phrase::CONSENT)));
    for (_, s) in c.sources() {
        let yn = |v: bool| c.t(if v { phrase::YES } else { phrase::NO });
        let (label, _) = c.source_label(s);
        b.push(Block::Bullet(format!(
            "{label}: {}: {}{}{}: {}",
            c.t(phrase::CONSENT_UN),
            yn(s.consent.share_with_un),
            c.list_sep(),
            c.t(phrase::CONSENT_PUBLISH),
            yn(s.consent.publish)
        )));
    }
    b.push(c.placeholder(phrase::CONFIRM_CONSENT));
    b.extend(c.section(phrase::TESTIMONIES, c.testimonies(false)));
    b.push(Block::Heading(c.t(phrase::ACTION_REQUESTED)));
    b.push(c.placeholder(phrase::UN_ACTION));
    b
}

fn interim_measures(c: &Ctx<'_>) -> Vec<Block> {
    let body =
        c.o.proceedings
            .iter()
            .filter_map(|st| match &st.record.record {
                Record::Proceeding(p) => match p.kind {
                    ProceedingKind::EchrRule39 => Some(phrase::BODY_ECHR),
                    ProceedingKind::CatComplaint => Some(phrase::BODY_CAT),
                    ProceedingKind::HrcComplaint => Some(phrase::BODY_HRC),
                    _ => None,
                },
                _ => None,
            })
            .next();
    let mut b = c.header(phrase::INTERIM_TITLE, None);
    match body {
        Some(p) => b.push(Block::Field(c.t(phrase::ADDRESSEE), c.t(p))),
        None => b.push(c.placeholder(phrase::BODY_UNKNOWN)),
    }
    b.extend(c.subject(phrase::APPLICANT));
    b.push(Block::Heading(c.t(phrase::IMMINENT_RISK)));
    let orders: Vec<Block> = c
        .instruments(false)
        .into_iter()
        .zip(records_of(&c.o.instruments, |r| match r {
            Record::Instrument(i) => Some(i),
            _ => None,
        }))
        .filter(|(_, i)| {
            matches!(
                i.kind,
                InstrumentKind::ExtraditionOrder
                    | InstrumentKind::DeportationOrder
                    | InstrumentKind::CourtRuling
                    | InstrumentKind::InterpolRedNotice
                    | InstrumentKind::InterpolDiffusion
                    | InstrumentKind::AimcWarrant
            )
        })
        .map(|(b, _)| b)
        .collect();
    b.extend(orders);
    b.push(c.placeholder(phrase::REMOVAL_DATE));
    let mut facts = c.incidents();
    facts.extend(c.situations());
    b.extend(c.section(phrase::FACTS, facts));
    b.push(Block::Heading(c.t(phrase::RISK_ON_RETURN)));
    b.push(c.placeholder(phrase::RISK_GROUNDS));
    b.push(Block::Heading(c.t(phrase::MEASURE_REQUESTED)));
    let (requesting, requested) = c.states();
    let names = |v: &[CountryCode], fallback: [&'static str; 3]| {
        if v.is_empty() {
            c.t(fallback)
        } else {
            c.join(v.iter().map(|s| c.country(s)).collect())
        }
    };
    b.push(Block::Para(
        c.lang
            .pick(phrase::MEASURE)
            .replace("{requested}", &names(&requested, phrase::THE_REQUESTED_STATE))
            .replace("{requesting}", &names(&requesting, phrase::THE_REQUESTING_STATE)),
    ));
    b.extend(c.section(phrase::STEPS_TAKEN, c.proceedings(false)));
    b.extend(c.section(phrase::TESTIMONIES, c.testimonies(true)));
    b
}

/// Builds a draft of `kind` for a case, as of `today`.
pub fn build(
    conn: &rusqlite::Connection,
    case_id: Uuid,
    kind: DraftKind,
    ccf_type: CcfRequestType,
    lang: Lang,
    today: Date,
) -> Result<(Doc, SourceDisclosure), DossierError> {
    let o = views::case_overview(conn, case_id, today)?;
    let Record::Case(case) = &o.case.record else {
        return Err(DossierError::WrongKind { id: case_id, expected: "case", found: o.case.record.kind().as_str() });
    };
    let c = Ctx { lang, kind, case_id, case, o: &o, today };
    let blocks = match kind {
        DraftKind::CaseSummary => case_summary(&c),
        DraftKind::CcfRequest => ccf_request(&c, ccf_type),
        DraftKind::UnUrgentAppeal => un_urgent_appeal(&c),
        DraftKind::InterimMeasures => interim_measures(&c),
    };
    let mut disclosure = SourceDisclosure { identities_included: Vec::new(), identities_withheld: Vec::new() };
    for (_, s) in c.sources() {
        if c.source_label(s).1 {
            disclosure.identities_included.push(s.pseudonym.clone());
        } else {
            disclosure.identities_withheld.push(s.pseudonym.clone());
        }
    }
    let doc = Doc { lang, blocks, footer: lang.pick(phrase::FOOTER).to_string() };
    Ok((doc, disclosure))
}

/// Escapes the characters Markdown would read as formatting.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Renders a draft as Markdown: the same blocks as the PDF.
pub fn markdown(doc: &Doc) -> String {
    let mut out = String::new();
    for b in &doc.blocks {
        let piece = match b {
            Block::Title(t) => format!("# {}\n\n", md(t)),
            Block::Notice(t) => format!("> **{}**\n\n", md(t)),
            Block::Meta(l, v) | Block::Field(l, v) => format!("**{}:** {}\n\n", md(l), md(v)),
            Block::Heading(t) => format!("## {}\n\n", md(t)),
            Block::Para(t) => format!("{}\n\n", md(t)),
            Block::Bullet(t) => format!("- {}\n", md(t)),
            Block::Quote(t) => format!("\n> {}\n\n", md(t).replace('\n', "\n> ")),
            Block::Placeholder(t) => format!("\n**{}**\n\n", md(t)),
        };
        // A list ends before the next block that is not an item.
        if !matches!(b, Block::Bullet(_)) && out.ends_with("\n") && !out.ends_with("\n\n") && !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&piece);
    }
    out.push_str(&format!("\n---\n\n{}\n", md(&doc.footer)));
    out
}
