//! Step 2 for the image doors: the prompts were policed at admission like a user turn (PII,
//! injection, safety); the job goes to the image model through the same gate, retries and
//! fallback as chat, and the key pays per image.

use crate::access;
use crate::audit::ImagesRecord;
use crate::ir::{ChatRequest, ImageJob, Message, Part, Role};
use crate::provider::{ImageCall, Images};
use crate::routing::{self, Attempt};
use crate::runtime::Runtime;

use super::{Admitted, Call, Failure, Receipt, Seen, gate, refunded_failure, route_for};

/// The chat-shaped request the chain reads for an image call: the prompt, the negative prompt
/// and an edit's mask prompt, as user turns (empty when absent, so each keeps its place).
pub fn image_request(
    model: String,
    prompt: String,
    negative: Option<String>,
    mask_prompt: Option<String>,
) -> ChatRequest {
    let turn = |text: Option<String>| Message {
        role: Role::User,
        content: text.map(Part::Text).into_iter().collect(),
    };
    let messages = vec![turn(Some(prompt)), turn(negative), turn(mask_prompt)];
    ChatRequest {
        model,
        messages,
        max_tokens: Some(0),
        ..ChatRequest::default()
    }
}

/// The prompts as the chain left them: prompt, negative prompt, mask prompt.
fn prompts(req: &ChatRequest) -> (String, Option<String>, Option<String>) {
    let text = |i: usize| {
        let parts: Vec<&str> = req
            .messages
            .get(i)
            .map(|m| {
                m.content
                    .iter()
                    .filter_map(|p| match p {
                        Part::Text(t) => Some(t.as_str()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        (!parts.is_empty()).then(|| parts.join("\n"))
    };
    (text(0).unwrap_or_default(), text(1), text(2))
}

/// Step 2 for `/v1/images/generations` and `/edits`.
pub async fn images(
    rt: &Runtime,
    adm: Admitted,
    job: ImageJob,
    call: &mut Call,
) -> Result<(Images, Vec<Attempt>, Receipt), Box<Failure>> {
    let log = &mut call.log;
    let Admitted { req, grant, .. } = adm;
    let route = route_for(rt, &req.model)?;
    let (prompt, negative, mask_prompt) = prompts(&req);
    let mut job = job;
    if let Some(edit) = job.edit.as_mut() {
        edit.mask_prompt = mask_prompt;
    }
    let (n, quality, task) = (
        job.n,
        job.quality,
        if job.edit.is_some() {
            "edit"
        } else {
            "generation"
        },
    );
    let size = job.size;
    let image_call = ImageCall {
        prompt,
        negative,
        job,
    };
    let mut attempts = Vec::new();
    let seen = Seen::default();
    let result = routing::execute(&rt.targets, route, &mut attempts, |t| {
        gate(t, grant.charged, rt.access.failure(), &seen, || {
            t.provider.images(&image_call)
        })
    })
    .await;
    log.set_attempts(&attempts);
    let rate = access::merge(grant.rate, seen.get());
    match result {
        Ok((idx, out)) => {
            log.set_images(ImagesRecord {
                count: out.images.len() as u32,
                size: size.map_or_else(|| "default".into(), |(w, h)| format!("{w}x{h}")),
                quality: quality.as_str(),
                task,
            });
            let target = &rt.targets[idx].access;
            let cost_usd =
                grant.settle_images(Some(target), n, size.unwrap_or((1024, 1024)), quality);
            log.set_cost(cost_usd);
            Ok((out, attempts, Receipt { cost_usd, rate }))
        }
        Err(e) => Err(refunded_failure(&grant, e.api, attempts, rate)),
    }
}
