//! Accessibility checks in the real window: an axe-core audit of the page
//! (WCAG 2.2 A/AA rules), the keyboard (key presses through WebDriver's
//! actions), where focus is and whether its ring shows, target sizes and
//! reflow at 200 % text.
//!
//! axe-core comes from the npm registry at the version pinned by
//! `tests/axe/package-lock.json` (`scripts/install-axe.sh`, part of `make
//! test`). Its source goes into the page as the body of one Execute Script
//! call: WebDriver's scripts are not subject to the page's CSP.

use crate::{target_dir, App};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The axe-core rule tags the audit runs: WCAG 2.0, 2.1 and 2.2, A and AA.
pub const WCAG_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// The colour of the app's focus ring (`--focus` in `ui/styles.css`), as
/// the computed style gives it.
pub const FOCUS_RING: &str = "rgb(11, 46, 138)";

/// axe-core's script, installed by `scripts/install-axe.sh`.
pub fn axe_path() -> PathBuf {
    target_dir().join("tools/axe/node_modules/axe-core/axe.min.js")
}

fn axe_source() -> String {
    let path = axe_path();
    std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "{} not readable ({err}): run scripts/install-axe.sh (`make test` does)",
            path.display()
        )
    })
}

/// One axe rule's result and the elements it names.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: String,
    pub impact: String,
    pub help: String,
    /// Each element: its CSS selector, then what axe says about it.
    pub nodes: Vec<(String, String)>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "  {} ({}): {}", self.rule, self.impact, self.help)?;
        for (target, summary) in &self.nodes {
            writeln!(f, "    {target}: {}", summary.replace('\n', " "))?;
        }
        Ok(())
    }
}

/// What axe found on one screen.
#[derive(Debug, Clone)]
pub struct Audit {
    pub screen: String,
    pub violations: Vec<Finding>,
    /// "Needs review": axe could not decide (e.g. text over an image).
    pub incomplete: Vec<Finding>,
    /// Rules that passed.
    pub passes: usize,
    /// Rules with nothing to check on this screen.
    pub inapplicable: usize,
}

const RUN_AXE: &str = r##"
const [tags, done] = [arguments[0], arguments[arguments.length - 1]];
if (!window.axe) { done({ error: "axe-core is not in the page" }); return; }
const pick = (list) => list.map((rule) => ({
  rule: rule.id, impact: rule.impact || "", help: rule.help,
  nodes: rule.nodes.map((node) => [
    node.target.join(" "),
    node.failureSummary || [...node.any, ...node.all, ...node.none].map((check) => check.message).join("; "),
  ]),
}));
axe.run(document, { runOnly: { type: "tag", values: tags }, iframes: false, resultTypes: ["violations", "incomplete"] })
  .then((r) => done({ violations: pick(r.violations), incomplete: pick(r.incomplete), passes: r.passes.length, inapplicable: r.inapplicable.length }))
  .catch((error) => done({ error: String(error) }));
"##;

fn findings(value: &Value) -> Vec<Finding> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|rule| Finding {
            rule: rule["rule"].as_str().unwrap_or_default().to_owned(),
            impact: rule["impact"].as_str().unwrap_or_default().to_owned(),
            help: rule["help"].as_str().unwrap_or_default().to_owned(),
            nodes: rule["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|node| {
                    (
                        node[0].as_str().unwrap_or_default().to_owned(),
                        node[1].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
        })
        .collect()
}

/// Runs axe-core's WCAG 2.2 A/AA rules on the page as it is now (the
/// widget's own frame is not entered: its `title` is checked from the
/// page). Appends one line per screen to `target/e2e/a11y-audit.tsv`.
pub async fn audit(app: &App, screen: &str) -> Audit {
    let loaded = app.execute("return typeof window.axe;").await;
    if loaded != "object" {
        let answer = app
            .execute(&format!("{}\nreturn typeof window.axe;", axe_source()))
            .await;
        assert_eq!(answer, "object", "axe-core did not load into the page");
    }
    let tags = serde_json::json!(WCAG_TAGS);
    let result = app
        .client()
        .execute_async(RUN_AXE, vec![tags])
        .await
        .expect("axe-core runs");
    if let Some(error) = result.get("error") {
        panic!("axe-core failed on {screen}: {error}");
    }
    let audit = Audit {
        screen: screen.to_owned(),
        violations: findings(&result["violations"]),
        incomplete: findings(&result["incomplete"]),
        passes: result["passes"].as_u64().unwrap_or_default() as usize,
        inapplicable: result["inapplicable"].as_u64().unwrap_or_default() as usize,
    };
    let line = format!(
        "{}\t{}\t{}\t{}\t{}\n",
        screen,
        audit.violations.len(),
        audit.incomplete.len(),
        audit.passes,
        audit.inapplicable
    );
    eprint!("axe: {line}");
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(target_dir().join("e2e/a11y-audit.tsv"))
    {
        let _ = file.write_all(line.as_bytes());
    }
    audit
}

/// Audits the screen and fails the test on any violation and on any result
/// axe could not decide, naming the rule and the elements.
pub async fn assert_accessible(app: &App, screen: &str) -> Audit {
    let audit = audit(app, screen).await;
    let mut problems = String::new();
    for finding in &audit.violations {
        problems.push_str(&format!("violation{finding}"));
    }
    for finding in &audit.incomplete {
        problems.push_str(&format!("needs review{finding}"));
    }
    if !problems.is_empty() {
        let name: String = screen
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        app.screenshot(&format!("a11y-{name}"));
        panic!("WCAG 2.2 A/AA on the {screen} screen:\n{problems}");
    }
    assert!(audit.passes > 0, "axe checked nothing on {screen}");
    audit
}

/// Presses and releases one key (a `Key` or a character) in the current
/// browsing context, as a keyboard does.
pub async fn press(app: &App, key: impl Into<char>) {
    let key = key.into();
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    app.client().perform_actions(keys).await.expect("key press");
    app.client().release_actions().await.expect("keys released");
}

/// Shift+Tab.
pub async fn press_shift_tab(app: &App) {
    let shift: char = Key::Shift.into();
    let tab: char = Key::Tab.into();
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: shift })
        .then(KeyAction::Down { value: tab })
        .then(KeyAction::Up { value: tab })
        .then(KeyAction::Up { value: shift });
    app.client().perform_actions(keys).await.expect("shift+tab");
    app.client().release_actions().await.expect("keys released");
}

/// Types `text` key by key into whatever has the focus.
pub async fn type_keys(app: &App, text: &str) {
    let mut keys = KeyActions::new("keyboard".into());
    for c in text.chars() {
        keys = keys
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
    }
    app.client().perform_actions(keys).await.expect("typing");
    app.client().release_actions().await.expect("keys released");
}

/// The focused element of the current browsing context: `#id`, or the tag
/// name (`body` when nothing has the focus).
pub async fn focused(app: &App) -> String {
    let value = app
        .execute(
            "const a = document.activeElement; \
             return !a ? 'none' : a.id ? '#' + a.id : a.tagName.toLowerCase();",
        )
        .await;
    value.as_str().unwrap_or_default().to_owned()
}

/// Whether the focused element matches `css`.
pub async fn focus_matches(app: &App, css: &str) -> bool {
    app.execute(&format!(
        "const a = document.activeElement; return !!a && a.matches({});",
        serde_json::json!(css)
    ))
    .await
        == true
}

/// Waits until the focused element matches `css`; fails naming where the
/// focus is.
pub async fn wait_focus(app: &App, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !focus_matches(app, css).await {
        assert!(
            Instant::now() < deadline,
            "focus never reached `{css}`; it is on {}",
            focused(app).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Presses Tab until the focused element matches `css` (at most `max`
/// presses); returns how many it took.
pub async fn tab_to(app: &App, css: &str, max: usize) -> usize {
    for presses in 0..=max {
        if focus_matches(app, css).await {
            return presses;
        }
        press(app, Key::Tab).await;
    }
    panic!(
        "Tab did not reach `{css}` in {max} presses; focus is on {}",
        focused(app).await
    );
}

/// The focused element's ring as the computed style draws it: `Ok` with
/// the style when the outline or the box-shadow shows a ring of at least
/// 2 px in the app's focus colour, or another visible outline; `Err` with
/// the style otherwise.
pub async fn focus_ring(app: &App) -> Result<String, String> {
    let value = app
        .execute(
            "const a = document.activeElement; const s = getComputedStyle(a); \
             return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow];",
        )
        .await;
    let parts: Vec<String> = value
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect();
    let [style, width, _color, shadow] = parts.as_slice() else {
        return Err(format!("{value}"));
    };
    let outline_px: f64 = width.trim_end_matches("px").parse().unwrap_or(0.0);
    let described = format!("outline {style} {width}; box-shadow {shadow}");
    let outline = style != "none" && outline_px >= 2.0;
    let ring = shadow.contains(FOCUS_RING);
    if outline || ring {
        Ok(described)
    } else {
        Err(described)
    }
}

/// Fails unless the focused element shows its focus ring.
pub async fn assert_focus_ring(app: &App, step: &str) {
    if let Err(style) = focus_ring(app).await {
        app.screenshot(&format!("no-ring-{step}"));
        panic!(
            "{step}: the focused element ({}) shows no focus ring: {style}",
            focused(app).await
        );
    }
}

/// Interactive elements on screen smaller than `min` × `min` CSS px: each
/// as `selector WxH`. A checkbox or radio counts with its label (a tap on
/// the label works it).
pub async fn small_targets(app: &App, min: f64) -> Vec<String> {
    let value = app
        .execute(&format!(
            r##"
            const min = {min};
            const name = (n) => n.id ? "#" + n.id : n.tagName.toLowerCase() + (n.className ? "." + String(n.className).split(" ").join(".") : "");
            const small = [];
            for (const node of document.querySelectorAll("button, input, select, textarea, a[href], [role=button], [tabindex]:not([tabindex='-1'])")) {{
              if (node.getClientRects().length === 0) continue;
              let box = node.getBoundingClientRect();
              const label = (node.type === "checkbox" || node.type === "radio") && node.closest("label");
              if (label) box = label.getBoundingClientRect();
              if (box.width + 0.5 < min || box.height + 0.5 < min) small.push(name(node) + " " + Math.round(box.width) + "x" + Math.round(box.height));
            }}
            return small;
            "##
        ))
        .await;
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// With the text as it is now: whether the page scrolls sideways, and
/// every interactive element that cannot be seen whole or reached (after
/// scrolling it into view, the element at its middle is not it or inside
/// it, or it sticks out of the window at the side).
pub async fn reflow_problems(app: &App) -> Vec<String> {
    reflow_problems_in(app, "body").await
}

/// As [`reflow_problems`], for the controls inside `scope` only (a modal
/// dialog: the page behind it is covered on purpose).
pub async fn reflow_problems_in(app: &App, scope: &str) -> Vec<String> {
    let value = app
        .client()
        .execute(
            r##"
            const scope = document.querySelector(arguments[0]);
            if (!scope) return ["nothing matches " + arguments[0]];
            const problems = [];
            const root = document.scrollingElement || document.documentElement;
            if (root.scrollWidth > window.innerWidth + 1) problems.push("the page scrolls sideways: " + root.scrollWidth + " > " + window.innerWidth);
            const name = (n) => n.id ? "#" + n.id : n.tagName.toLowerCase() + "." + String(n.className).split(" ").join(".");
            for (const node of scope.querySelectorAll("button, input, select, textarea, a[href]")) {
              if (node.getClientRects().length === 0) continue;
              node.scrollIntoView({ block: "center", inline: "nearest" });
              const box = node.getBoundingClientRect();
              if (box.left < -1 || box.right > window.innerWidth + 1) { problems.push(name(node) + " sticks out sideways"); continue; }
              const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
              const target = (node.type === "checkbox" || node.type === "radio") && node.closest("label") || node;
              if (!hit || !(target.contains(hit) || hit.contains(target) || (hit.closest("label") && hit.closest("label").contains(node)))) problems.push(name(node) + " is covered by " + (hit ? name(hit) : "nothing"));
            }
            window.scrollTo(0, 0);
            return problems;
            "##,
            vec![serde_json::json!(scope)],
        )
        .await
        .expect("script runs");
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// One node of the accessibility tree as AT-SPI gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtspiNode {
    pub depth: usize,
    pub role: String,
    pub name: String,
    pub focused: bool,
}

/// The app's accessibility tree as assistive technology reads it: AT-SPI,
/// through `tests/atspi/tree.py` (Debian's python3-pyatspi). The app must
/// run with its accessibility bridge on (`NO_AT_BRIDGE=0` in its
/// environment); the AT-SPI bus comes up in the tests' private D-Bus
/// session (at-spi2-core).
pub fn atspi_tree(app: &App) -> Vec<AtspiNode> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("atspi/tree.py");
    let pid = app.app_pid().expect("the app is running");
    let python = "/usr/bin/python3";
    let output = std::process::Command::new(python)
        .arg(&script)
        .arg(pid.to_string())
        .env("DISPLAY", app.display())
        .output()
        .unwrap_or_else(|err| {
            panic!("{python} does not run ({err}): install the Debian package python3")
        });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("No module named"),
        "{stderr}\ninstall the Debian packages python3-pyatspi and at-spi2-core (`make test` does)"
    );
    assert!(output.status.success(), "AT-SPI tree not read: {stderr}");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let node: Value = serde_json::from_str(line).expect("one JSON node per line");
            AtspiNode {
                depth: node["depth"].as_u64().unwrap_or_default() as usize,
                role: node["role"].as_str().unwrap_or_default().to_owned(),
                name: node["name"].as_str().unwrap_or_default().to_owned(),
                focused: node["focused"].as_bool().unwrap_or_default(),
            }
        })
        .collect()
}
