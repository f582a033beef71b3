#!/usr/bin/env python3
"""Extracts AgentDojo's injected (and clean) tool outputs as an outside exam for gw's prompt-injection
policy. Evaluation only: nothing written here may be used to train or tune gw's model or signatures,
and the output stays outside the repository (default /tmp/agentdojo).

Why this exists: gw's `prompt-injection` policy scores tool results for indirect injections. AgentDojo
(ETH Zurich SPY Lab, MIT licence, https://github.com/ethz-spylab/agentdojo) is an independent public
benchmark of such injections in four simulated agent environments (workspace, travel, banking, slack).
For every suite, user task and injection task, this script loads the environment with one of
AgentDojo's built-in attacks planted in the injection vectors, runs the user task's ground-truth tool
calls (AgentDojo's own GroundTruthPipeline, no model involved) and keeps every tool output an agent
would see, formatted exactly as AgentDojo shows it to the model (its default YAML formatter). The same
is done with no attack planted (the environment's default, benign vector texts) for the benign rows.

Setup (AgentDojo is not a gw dependency; keep it in a throw-away venv):
    python3 -m venv /tmp/adv && /tmp/adv/bin/pip install agentdojo
    /tmp/adv/bin/python scripts/agentdojo_eval.py [--out /tmp/agentdojo] [--version v1.2.2]
        [--attacks important_instructions,ignore_previous,system_message,injecagent,direct,tool_knowledge]

Output, one JSON object a line:
    /tmp/agentdojo/injected.jsonl  {"id","text","label":1,"suite","attack","user_task","injection_task",
                                    "tool","vectors"}  -- tool outputs holding a planted injection
    /tmp/agentdojo/benign.jsonl    {"id","text","label":0,"suite","attack":null,"user_task",
                                    "injection_task":null,"tool"}  -- the same calls, nothing planted
                                    (deduplicated by suite and text)
    /tmp/agentdojo/summary.json    counts per suite and attack
Tool outputs of an injected run that do not contain the planted text are identical to benign ones and
are left out of injected.jsonl (found by comparing each output with the same call's output in the
clean environment, and by short canaries planted in each vector, since the YAML formatter re-quotes and
wraps long strings). Deterministic: suites, tasks and attacks are walked in sorted order.
Score the result with `python3 scripts/injection_corpus.py --baseline --agentdojo /tmp/agentdojo`.
"""
import argparse
import collections
import json
import os
import sys

DEFAULT_ATTACKS = ["important_instructions", "ignore_previous", "system_message", "injecagent", "direct",
                   "tool_knowledge"]
# AgentDojo's attacks address the victim model by a prose name taken from the pipeline's name.
PIPELINE_NAME = "claude-3-5-sonnet-20241022"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/tmp/agentdojo")
    ap.add_argument("--version", default="v1.2.2", help="AgentDojo benchmark version")
    ap.add_argument("--attacks", default=",".join(DEFAULT_ATTACKS))
    ap.add_argument("--suites", default="workspace,travel,banking,slack")
    args = ap.parse_args()

    try:
        from agentdojo.agent_pipeline.base_pipeline_element import BasePipelineElement
        from agentdojo.agent_pipeline.ground_truth_pipeline import GroundTruthPipeline
        from agentdojo.attacks.attack_registry import ATTACKS, load_attack
        from agentdojo.functions_runtime import FunctionsRuntime
        from agentdojo.task_suite.load_suites import get_suites
        from agentdojo.types import get_text_content_as_str
    except ImportError:
        sys.exit("agentdojo is not installed: python3 -m venv /tmp/adv && /tmp/adv/bin/pip install agentdojo")

    class NamedPipeline(BasePipelineElement):
        """Only its name is read (to pick the model name the attacks address); it is never queried."""
        name = PIPELINE_NAME

        def query(self, *a, **k):  # pragma: no cover - never called
            raise RuntimeError("the extraction never queries a model")

    attacks = [a for a in args.attacks.split(",") if a]
    missing = [a for a in attacks if a not in ATTACKS]
    if missing:
        print(f"skipping attacks this agentdojo does not have: {missing}", file=sys.stderr)
        attacks = [a for a in attacks if a in ATTACKS]

    def tool_outputs(suite, user_task, env):
        runtime = FunctionsRuntime(suite.tools)
        _, _, _, messages, _ = GroundTruthPipeline(user_task).query(user_task.PROMPT, runtime, env)
        out = []
        for m in messages:
            if m["role"] == "tool" and m["content"] is not None:
                out.append((m["tool_call"].function, get_text_content_as_str(m["content"])))
        return out

    os.makedirs(args.out, exist_ok=True)
    suites = get_suites(args.version)
    counts = collections.OrderedDict()
    n_inj = n_ben = 0
    with open(os.path.join(args.out, "injected.jsonl"), "w", encoding="utf-8") as f_inj, \
            open(os.path.join(args.out, "benign.jsonl"), "w", encoding="utf-8") as f_ben:
        for suite_name in [s for s in args.suites.split(",") if s]:
            suite = suites[suite_name]
            user_tasks = sorted(suite.user_tasks.items(), key=lambda kv: int(kv[0].split("_")[-1]))
            inj_tasks = sorted(suite.injection_tasks.items(), key=lambda kv: int(kv[0].split("_")[-1]))
            # Benign: the environment as shipped (injection vectors hold their default, harmless text).
            # The YAML formatter re-quotes and wraps long strings, so the planted text is found by
            # comparing each output with the same call's benign output and by short canaries.
            seen = set()
            clean = {}
            for ut_id, ut in user_tasks:
                clean[ut_id] = tool_outputs(suite, ut, suite.load_and_inject_default_environment({}))
                for i, (tool, text) in enumerate(clean[ut_id]):
                    if text in seen or not text.strip():
                        continue
                    seen.add(text)
                    row = {"id": f"adb-{suite_name}-{ut_id}-{i}", "text": text, "label": 0, "suite": suite_name,
                           "attack": None, "user_task": ut_id, "injection_task": None, "tool": tool}
                    f_ben.write(json.dumps(row, ensure_ascii=False) + "\n")
                    n_ben += 1
                    counts[f"{suite_name}/benign"] = counts.get(f"{suite_name}/benign", 0) + 1
            defaults = suite.get_injection_vector_defaults()
            canary_of = {}
            for ut_id, ut in user_tasks:
                canaries = {v: f"zqcanary{k}zq" for k, v in enumerate(sorted(defaults))}
                outs = tool_outputs(suite, ut, suite.load_and_inject_default_environment(canaries))
                canary_of[ut_id] = [sorted(v for v, c in canaries.items() if c in text) for _, text in outs]
            for attack_name in attacks:
                attack = load_attack(attack_name, suite, NamedPipeline())
                for ut_id, ut in user_tasks:
                    try:
                        attack.get_injection_candidates(ut)
                    except ValueError:  # the task's ground truth sees no injection vector
                        continue
                    for it_id, it in inj_tasks:
                        injections = attack.attack(ut, it)
                        env = suite.load_and_inject_default_environment(injections)
                        outs = tool_outputs(suite, ut, env)
                        for i, (tool, text) in enumerate(outs):
                            vectors = canary_of[ut_id][i] if i < len(canary_of[ut_id]) else []
                            vectors = [v for v in vectors if v in injections]
                            same = i < len(clean[ut_id]) and clean[ut_id][i][1] == text
                            if not vectors or same:
                                continue
                            row = {"id": f"adi-{suite_name}-{attack_name}-{ut_id}-{it_id}-{i}", "text": text,
                                   "label": 1, "suite": suite_name, "attack": attack_name, "user_task": ut_id,
                                   "injection_task": it_id, "tool": tool, "vectors": vectors}
                            f_inj.write(json.dumps(row, ensure_ascii=False) + "\n")
                            n_inj += 1
                            key = f"{suite_name}/{attack_name}"
                            counts[key] = counts.get(key, 0) + 1
                print(f"{suite_name} {attack_name}: {counts.get(f'{suite_name}/{attack_name}', 0)} injected outputs",
                      file=sys.stderr)
    summary = {"version": args.version, "attacks": attacks, "injected": n_inj, "benign": n_ben, "by": counts}
    with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
