"""Point the official OpenAI SDK at gw: only base_url changes.

    gw run                      # in another terminal (embedded default pack, no AWS account)
    pip install openai && python examples/openai_python.py
"""

from openai import OpenAI

client = OpenAI(base_url="http://127.0.0.1:8080/v1", api_key="not-needed-without-auth")

reply = client.chat.completions.create(
    model="claude",
    messages=[{"role": "user", "content": "Hello through gw!"}],
)
print(reply.choices[0].message.content)

for chunk in client.chat.completions.create(
    model="claude", messages=[{"role": "user", "content": "Stream this back to me."}], stream=True
):
    if chunk.choices and chunk.choices[0].delta.content:
        print(chunk.choices[0].delta.content, end="", flush=True)
print()

vectors = client.embeddings.create(model="embed", input=["one", "two"])
print(len(vectors.data), "vectors of", len(vectors.data[0].embedding))
