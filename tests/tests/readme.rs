//! The documentation's GraphQL examples run exactly as written, in order, against the real app,
//! and every relative link in the documentation leads to a file and a heading that exist.
//!
//! The documentation is README.md and every `docs/*.md` (see [`documents`] for the order). An
//! example is a fenced block opened with ```` ```graphql example=NAME ````, with its variables in a
//! block opened with ```` ```json variables=NAME ```` anywhere in the documentation. A value
//! written `<…>` in an example's variables is filled from an earlier answer, so examples that
//! depend on each other stay in one document, in order (docs/graphql.md).

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    time::Duration,
};

use grapevine_tests::spawn_app;
use serde_json::{Value, json};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `(path from the root, text)` of each document, in the order their examples run: README.md
/// first, then every `docs/*.md` sorted by file name (byte order).
fn documents() -> Vec<(String, String)> {
    let root = root();
    let mut names: Vec<String> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".md"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no docs/*.md found");
    std::iter::once("README.md".to_owned())
        .chain(names.into_iter().map(|name| format!("docs/{name}")))
        .map(|path| {
            let text = std::fs::read_to_string(root.join(&path))
                .unwrap_or_else(|e| panic!("reading {path}: {e}"));
            (path, text)
        })
        .collect()
}

/// Whether a line opens or closes a fenced code block.
fn is_fence(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("```") || line.starts_with("~~~")
}

/// `(name, query, variables)` of each example, in documentation order.
fn examples() -> Vec<(String, String, Value)> {
    let mut queries: Vec<(String, String)> = Vec::new();
    let mut variables = HashMap::new();
    for (path, text) in documents() {
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let line = line.trim_start();
            let block = |lines: &mut std::str::Lines<'_>| {
                lines
                    .take_while(|l| !is_fence(l))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            if let Some(name) = line.strip_prefix("```graphql example=") {
                let name = name.trim().to_owned();
                assert!(
                    queries.iter().all(|(n, _)| *n != name),
                    "{path}: a second example named {name}"
                );
                queries.push((name, block(&mut lines)));
            } else if let Some(name) = line.strip_prefix("```json variables=") {
                let text = block(&mut lines);
                let value = serde_json::from_str::<Value>(&text)
                    .unwrap_or_else(|e| panic!("{path}: variables {name}: {e}"));
                let previous = variables.insert(name.trim().to_owned(), value);
                assert!(previous.is_none(), "{path}: second variables for {name}");
            } else if is_fence(line) {
                // Skip any other block whole, so nothing inside it is read as an opening.
                block(&mut lines);
            }
        }
    }
    let examples: Vec<_> = queries
        .into_iter()
        .map(|(name, q)| {
            let v = variables.remove(&name).unwrap_or(json!({}));
            (name, q, v)
        })
        .collect();
    assert!(
        variables.is_empty(),
        "variables for no example: {:?}",
        variables.keys().collect::<Vec<_>>()
    );
    examples
}

fn fill(value: &mut Value, known: &[(&str, String)]) {
    match value {
        Value::String(s) => {
            if let Some((_, v)) = known.iter().find(|(k, _)| k == s) {
                *s = v.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| fill(v, known)),
        Value::Object(map) => map.values_mut().for_each(|v| fill(v, known)),
        _ => {}
    }
}

#[tokio::test]
async fn the_documented_graphql_examples_run_as_written() {
    let examples = examples();
    assert!(
        !examples.is_empty(),
        "no ```graphql example=NAME blocks in README.md or docs/*.md"
    );
    let names: Vec<&str> = examples.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "login", "create", "rewards", "enroll", "find", "launch", "list"
        ],
        "the documented examples, in order"
    );

    let app = spawn_app().await;
    let email = format!(
        "readme-{}@staff.grapevine.test",
        uuid::Uuid::new_v4().simple()
    );
    app.graphql_ok(Some(&app.admin_token), "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }", json!({ "i": { "email": email, "name": "Reader", "role": "MARKETING_MANAGER", "password": "correct horse battery" } })).await;
    let mut known = vec![
        ("<your email>", email.clone()),
        ("<your password>", "correct horse battery".to_owned()),
    ];

    let mut token: Option<String> = None;
    for (name, query, mut variables) in examples {
        fill(&mut variables, &known);
        let data = app.graphql_ok(token.as_deref(), &query, variables).await;
        match name.as_str() {
            "login" => token = Some(data["login"]["token"].as_str().unwrap().to_owned()),
            "create" => {
                assert_eq!(data["createCampaign"]["status"], "DRAFT");
                assert_eq!(
                    data["createCampaign"]["budget"],
                    json!({ "amountMinor": "1000000", "currency": "USD" })
                );
                known.push((
                    "<id from create>",
                    data["createCampaign"]["id"].as_str().unwrap().to_owned(),
                ));
            }
            "rewards" => assert_eq!(data["setCampaignMaterial"]["channel"], "EMAIL"),
            "enroll" => {
                let result = &data["enrollParticipants"];
                assert_eq!(result["enrolments"].as_array().unwrap().len(), 1);
                assert_eq!(result["enrolments"][0]["eligible"], true);
                assert!(result["enrolments"][0]["referralCode"].is_string());
                assert_eq!(result["errors"][0]["index"], 1);
                assert_eq!(result["errors"][0]["field"], "email");
            }
            "find" => {
                let nodes = &data["campaign"]["enrolments"]["nodes"];
                assert_eq!(nodes.as_array().unwrap().len(), 1);
                assert_eq!(nodes[0]["participant"]["email"], "ada@example.com");
            }
            "launch" => assert_eq!(data["launchCampaign"]["status"], "ACTIVE"),
            "list" => {
                let node = &data["campaigns"]["edges"][0]["node"];
                assert_eq!(node["status"], "ACTIVE");
                assert_eq!(node["rewardRules"].as_array().unwrap().len(), 2);
                assert_eq!(node["headline"]["clicks"], "0");
            }
            other => panic!("unexpected example {other}"),
        }
    }
    let mails = app.smtp.wait_for(1, Duration::from_secs(30)).await;
    assert!(mails[0].to.iter().any(|t| t.contains("ada@example.com")));
    assert!(
        mails[0]
            .text
            .clone()
            .unwrap_or_default()
            .contains("You get 10.00 USD and your friend gets 15%"),
        "{:?}",
        mails[0].text
    );
}

/// `(line number, line)` of a document's lines outside its fenced code blocks.
fn prose(text: &str) -> Vec<(usize, &str)> {
    let mut in_block = false;
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            if is_fence(line) {
                in_block = !in_block;
                return false;
            }
            !in_block
        })
        .map(|(index, line)| (index + 1, line))
        .collect()
}

/// A line with its inline code spans taken out (a span's content is not a link).
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].len() - rest[start..].trim_start_matches('`').len();
        let fence = &rest[start..start + ticks];
        let after = &rest[start + ticks..];
        match after.find(fence) {
            Some(end) => rest = &after[end + ticks..],
            // An unclosed run of backticks is literal text.
            None => {
                out.push_str(fence);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The anchors GitHub gives a document's headings: the heading's text without its inline
/// markup, lower-cased, with every character but letters, digits, spaces, `-` and `_` dropped and
/// spaces made `-`; a repeated anchor gets `-1`, `-2`, ….
fn anchors(text: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (_, line) in prose(text) {
        let hashes = line.len() - line.trim_start_matches('#').len();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let heading = line[hashes..].trim().trim_end_matches('#').trim();
        let mut plain = String::new();
        // Code spans keep their text: `` `grapevine` `` → `grapevine`.
        let heading = heading.replace('`', "");
        let mut chars = heading.chars().peekable();
        // Links keep their text: `[text](target)` → `text`.
        while let Some(c) = chars.next() {
            if c == ']' && chars.peek() == Some(&'(') {
                for c in chars.by_ref() {
                    if c == ')' {
                        break;
                    }
                }
            } else if c != '[' {
                plain.push(c);
            }
        }
        let slug: String = plain
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let n = seen.entry(slug.clone()).or_insert(0);
        out.push(if *n == 0 { slug } else { format!("{slug}-{n}") });
        *n += 1;
    }
    out
}

/// The targets of a line's inline links and images (`[text](target "title")`) and of a
/// reference definition (`[name]: target`).
fn link_targets(line: &str) -> Vec<String> {
    let line = without_code_spans(line);
    let mut targets = Vec::new();
    let trimmed = line.trim_start();
    if trimmed.starts_with('[')
        && let Some((_, target)) = trimmed.split_once("]: ")
    {
        targets.push(target.split_whitespace().next().unwrap_or("").to_owned());
    }
    let mut rest = line.as_str();
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let end = after.find(')').unwrap_or(after.len());
        let target = after[..end].split_whitespace().next().unwrap_or("");
        targets.push(
            target
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned(),
        );
        rest = &after[end..];
    }
    targets
}

#[test]
fn every_relative_link_in_the_documentation_leads_to_a_file_and_heading_that_exist() {
    let root = root();
    let documents = documents();
    let mut checked = 0;
    let mut broken = Vec::new();
    for (path, text) in &documents {
        let dir = Path::new(path).parent().unwrap_or(Path::new(""));
        for (number, line) in prose(text) {
            for target in link_targets(line) {
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                checked += 1;
                let (file, anchor) = match target.split_once('#') {
                    Some((file, anchor)) => (file, Some(anchor)),
                    None => (target.as_str(), None),
                };
                let file = if file.is_empty() {
                    PathBuf::from(path)
                } else {
                    dir.join(file)
                };
                let at = format!("{path}:{number}: {target}");
                if target.is_empty() || !root.join(&file).exists() {
                    broken.push(format!("{at}: no such file"));
                    continue;
                }
                let Some(anchor) = anchor else { continue };
                if file.extension().is_none_or(|e| e != "md") {
                    broken.push(format!("{at}: an anchor into a file that is not markdown"));
                    continue;
                }
                let text = std::fs::read_to_string(root.join(&file)).unwrap();
                if !anchors(&text).iter().any(|a| a == anchor) {
                    broken.push(format!("{at}: no heading with that anchor"));
                }
            }
        }
    }
    assert!(
        checked > 0,
        "no relative links found: is the parser broken?"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn anchors_follow_github() {
    let text = "# The `grapevine` binary\n## Console (web/)\n```\n# not a heading\n```\n\
                ## Fraud checks, rewards and payouts\n## Links\n## Links\n## [Finance](x.md) & more";
    assert_eq!(
        anchors(text),
        [
            "the-grapevine-binary",
            "console-web",
            "fraud-checks-rewards-and-payouts",
            "links",
            "links-1",
            "finance--more",
        ]
    );
    assert_eq!(
        link_targets("see [a](docs/a.md#b), `[not](this.md)` and ![i](<img.png> \"t\")"),
        ["docs/a.md#b", "img.png"]
    );
}
