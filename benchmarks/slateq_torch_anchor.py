#!/usr/bin/python3
"""Training-speed anchor: rlrec's C++ SlateQ update next to a lean PyTorch script of the same update.

One run times both on one thread and prints the ratio:
  - rlrec: build/release/benchmarks/train_bench, BM_Update/slateq_sarsa (gradient updates/s, the
    thread's CPU time inside update(), default sizes on interest_evolution with N = 10, K = 2);
  - PyTorch (Debian's python3-torch, /usr/bin/python3): the same update written plainly in Python:
      network  Q̄(s, i) = MLP([user input, item features, null flag]) 256-32 ReLU -> 1, and a target
               copy (hard copy every 1000 updates);
      batch    32 transitions drawn uniformly from a full replay of 100000 (synthetic contents);
      target   SARSA with the null item: V(s') = Q̄'(s', ⊥) + Σ_{j∈A'} v_j (Q̄'(s', j) − Q̄'(s', ⊥))
               / (v⊥ + Σ_{j∈A'} v_j), the target network evaluated on the N candidates and the null
               item of every sampled next state (one batched forward), v_j = exp(score) from the
               user-item dot product (multinomial logit), y = r + γ (1 − terminal) V(s');
      loss     mean squared error, Adam (lr 1e-3), global gradient-norm clipping at 10, the loss
               read back every update (as rlrec's divergence check does).
The dimensions come from the C++ benchmark's counters, so both sides use the same shapes.

  benchmarks/slateq_torch_anchor.py [--bench build/release/benchmarks/train_bench] [--seconds 3]

The machine may be shared: the script prints `uptime`'s load average; the numbers are noisy.
"""

import argparse
import json
import os
import subprocess
import time

import torch


def rlrec_update(bench, reps):
    out = subprocess.run(
        [bench, "--benchmark_filter=^BM_Update/slateq_sarsa/", "--benchmark_format=json",
         "--benchmark_repetitions=%d" % reps],
        check=True, capture_output=True, text=True).stdout
    runs = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]
    rates = sorted(b["items_per_second"] for b in runs)
    return rates[len(rates) // 2], runs[0]


def mlp(inp):
    return torch.nn.Sequential(torch.nn.Linear(inp, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))


def torch_update(dims, seconds, reps):
    torch.set_num_threads(1)
    torch.manual_seed(1)
    U, Uo, D = int(dims["user_input"]), int(dims["user_obs"]), int(dims["item_dim"])
    N, K = int(dims["candidates"]), int(dims["slate_size"])
    I = U + D + 1
    cap, B, gamma, v0 = 100000, 32, 0.99, 1.0
    # A full replay of synthetic transitions (the contents do not change the cost).
    user = torch.rand(cap, U) * 2 - 1
    item = torch.cat([torch.rand(cap, D), torch.zeros(cap, 1)], 1)
    reward = torch.rand(cap)
    terminal = (torch.rand(cap) < 0.02).float()
    next_user = torch.rand(cap, U) * 2 - 1
    next_items = torch.rand(cap, N, D)
    next_slate = torch.stack([torch.randperm(N)[:K] for _ in range(1000)]).repeat(cap // 1000, 1)
    online, target = mlp(I), mlp(I)
    target.load_state_dict(online.state_dict())
    opt = torch.optim.Adam(online.parameters(), lr=1e-3)
    null_row = torch.cat([torch.zeros(B, 1, D), torch.ones(B, 1, 1)], 2)

    def update(step):
        idx = torch.randint(cap, (B,))
        x = torch.cat([user[idx], item[idx]], 1)
        nu, ni = next_user[idx], next_items[idx]
        with torch.no_grad():
            cand = torch.cat([ni, torch.zeros(B, N, 1)], 2)
            xn = torch.cat([nu.unsqueeze(1).expand(B, N + 1, U),
                            torch.cat([cand, null_row], 1)], 2)
            qn = target(xn.reshape(B * (N + 1), I)).view(B, N + 1).double()
            v = torch.exp((nu[:, :min(Uo, D)].unsqueeze(1) * ni[:, :, :min(Uo, D)]).sum(2)).double()
            q0 = qn[:, N]
            qrel = qn[:, :N] - q0.unsqueeze(1)
            s = next_slate[idx]
            vs, qs = v.gather(1, s), qrel.gather(1, s)
            value = q0 + (vs * qs).sum(1) / (v0 + vs.sum(1))
            y = (reward[idx].double() + gamma * (1 - terminal[idx].double()) * value).float()
        q = online(x).view(B)
        loss = torch.nn.functional.mse_loss(q, y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(online.parameters(), 10.0)
        opt.step()
        if step % 1000 == 0:
            target.load_state_dict(online.state_dict())
        return loss.item()

    for i in range(200):  # warm-up
        update(i + 1)
    rates = []
    for _ in range(reps):
        n, t0 = 0, time.thread_time()
        while time.thread_time() - t0 < seconds:
            n += 1
            update(n)
        rates.append(n / (time.thread_time() - t0))
    rates.sort()
    return rates[len(rates) // 2]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=os.path.join(root, "build/release/benchmarks/train_bench"))
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--repetitions", type=int, default=3)
    args = ap.parse_args()
    load0 = os.getloadavg()
    cpp, dims = rlrec_update(args.bench, args.repetitions)
    py = torch_update(dims, args.seconds, args.repetitions)
    load1 = os.getloadavg()
    print("SlateQ update (batch 32, 256-32 network, Adam, SARSA target over %d candidates + null "
          "item), one thread, median of %d:" % (int(dims["candidates"]), args.repetitions))
    print("  rlrec C++ (libtorch):       %8.0f updates/s" % cpp)
    print("  PyTorch %-13s      %8.0f updates/s" % (torch.__version__, py))
    print("  ratio rlrec / PyTorch:     %8.2fx" % (cpp / py))
    print("  load average %.2f before, %.2f after (the machine may be shared: noisy)"
          % (load0[0], load1[0]))


if __name__ == "__main__":
    main()
