"""Dgraph's official Python client (pydgraph) against a Strata Alpha's gRPC port: the flow of the
client's own basic example (drop all, schema, a transaction's mutation and commit, queries with
variables, a read-only query, an upsert, a delete), plus an error. Prints one JSON object of what
it saw; e2e/tests/clients.test.ts checks it.

usage: python pydgraph_flow.py HOST:PORT (basic|txn|own-writes|delete-star)
"""

import json
import os
import sys

import grpc
import pydgraph

# The schema comes from the vitest test (clients.test.ts), which runs every client on it.
SCHEMA = os.environ["STRATA_SCHEMA"]

BY_NAME = """query people($a: string) {
  people(func: eq(name, $a)) { name age friend { name } ~friend { name } }
}"""


def basic(client: pydgraph.DgraphClient) -> dict:
    out: dict = {"version": client.check_version()}
    client.alter(pydgraph.Operation(drop_all=True))
    client.alter(pydgraph.Operation(schema=SCHEMA))

    # a mutation committed with the request (JSON), then one in N-Quads
    txn = client.txn()
    res = txn.mutate(
        set_obj={
            "uid": "_:alice",
            "dgraph.type": "Person",
            "name": "Alice",
            "age": 29,
            "friend": [{"uid": "_:bob", "dgraph.type": "Person", "name": "Bob", "age": 31}],
        },
        commit_now=True,
    )
    out["uids"] = dict(res.uids)
    out["commit_ts"] = res.txn.commit_ts
    res = client.txn().mutate(set_nquads='_:carol <name> "Carol" .\n_:carol <age> "40" .', commit_now=True)
    out["carol"] = dict(res.uids)

    ro = client.txn(read_only=True)
    out["alice"] = json.loads(ro.query(BY_NAME, variables={"$a": "Alice"}).json)
    out["bob"] = json.loads(
        client.txn(read_only=True, best_effort=True).query(BY_NAME, variables={"$a": "Bob"}).json
    )

    # upsert: give Alice an email when no node has it yet, twice
    for _ in range(2):
        txn = client.txn()
        query = '{ u as var(func: eq(name, "Alice")) e as var(func: eq(email, "alice@example.org")) }'
        mu = txn.create_mutation(
            set_nquads='uid(u) <email> "alice@example.org" .', cond="@if(eq(len(e), 0))"
        )
        txn.do_request(txn.create_request(query=query, mutations=[mu], commit_now=True))
    q = '{ e(func: eq(email, "alice@example.org")) { count(uid) } }'
    out["emails"] = json.loads(client.txn(read_only=True).query(q).json)

    # delete Carol's age
    carol = out["carol"]["carol"]
    client.txn().mutate(del_nquads=f'<{carol}> <age> "40" .', commit_now=True)
    q = '{ c(func: eq(name, "Carol")) { name age } }'
    out["carol_after_delete"] = json.loads(client.txn(read_only=True).query(q).json)

    try:
        client.txn(read_only=True).query("{ broken(func: eq(name, ) { name } }")
        out["bad_query"] = None
    except grpc.RpcError as e:
        out["bad_query"] = {"code": e.code().name, "details": e.details()}
    return out


def txn_flow(client: pydgraph.DgraphClient) -> dict:
    out: dict = {}
    # mutate (not visible outside the transaction until the commit), then commit
    txn = client.txn()
    try:
        res = txn.mutate(set_obj={"uid": "_:dave", "name": "Dave", "age": 50})
        out["dave"] = dict(res.uids)
        out["outside_before_commit"] = json.loads(
            client.txn(read_only=True).query(BY_NAME, variables={"$a": "Dave"}).json
        )
        txn.commit()
    finally:
        txn.discard()
    out["after_commit"] = json.loads(client.txn(read_only=True).query(BY_NAME, variables={"$a": "Dave"}).json)

    # discard: nothing is written
    txn = client.txn()
    txn.mutate(set_nquads='_:e <name> "Eve" .')
    txn.discard()
    out["after_discard"] = json.loads(client.txn(read_only=True).query(BY_NAME, variables={"$a": "Eve"}).json)

    # two transactions write the same value: the second to commit is aborted
    dave = out["dave"]["dave"]
    t1, t2 = client.txn(), client.txn()
    t1.query(BY_NAME, variables={"$a": "Dave"})
    t2.query(BY_NAME, variables={"$a": "Dave"})
    t1.mutate(set_nquads=f'<{dave}> <age> "51" .')
    t2.mutate(set_nquads=f'<{dave}> <age> "52" .')
    t1.commit()
    try:
        t2.commit()
        out["conflict"] = "committed"
    except pydgraph.AbortedError:
        out["conflict"] = "aborted"
    out["dave_age"] = json.loads(client.txn(read_only=True).query(BY_NAME, variables={"$a": "Dave"}).json)
    return out


def own_writes(client: pydgraph.DgraphClient) -> dict:
    txn = client.txn()
    try:
        txn.mutate(set_nquads='_:g <name> "Gus" .\n_:g <age> "60" .')
        try:
            return {"inside": json.loads(txn.query(BY_NAME, variables={"$a": "Gus"}).json)}
        except Exception as e:  # Strata refuses it (Dgraph shows the write): the message is checked
            return {"inside_error": str(e)}
    finally:
        txn.discard()


def delete_star(client: pydgraph.DgraphClient) -> dict:
    res = client.txn().mutate(set_nquads='_:h <name> "Hana" .\n_:h <age> "70" .', commit_now=True)
    hana = res.uids["h"]
    out = {"before": json.loads(client.txn(read_only=True).query(BY_NAME, variables={"$a": "Hana"}).json)}
    client.txn().mutate(del_nquads=f"<{hana}> <age> * .", commit_now=True)
    out["after"] = json.loads(client.txn(read_only=True).query(BY_NAME, variables={"$a": "Hana"}).json)
    return out


FLOWS = {"basic": basic, "txn": txn_flow, "own-writes": own_writes, "delete-star": delete_star}


def main() -> None:
    addr, mode = sys.argv[1], sys.argv[2]
    stub = pydgraph.DgraphClientStub(addr)
    client = pydgraph.DgraphClient(stub)
    try:
        out = FLOWS[mode](client)
    finally:
        stub.close()
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
