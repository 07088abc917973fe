import Benchmarks
import Foundation
import Sweeps
import TestSupport
import Testing
import Training

/// A small, fast spec: PPO on CartPole for 1024 steps, two learning rates, two seeds.
let smallSpec = """
    name: small
    agents: [ppo]
    envs: [CartPole-v1]
    seeds: 2
    steps: 1024
    set:
      n_steps: 64
      batch_size: 64
      n_epochs: 2
      learning_rate: [0.0003, 0.001]
    evaluations: 4
    eval_episodes: 2
    final_episodes: 3
    checkpoint_every: 256
    """

func scratchFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-sweep-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Stops training with an error once `steps` are done, as a crash or a killed worker would.
final class Crash: TrainingCallback {
    struct Crashed: Error {}
    let steps: Int
    init(after steps: Int) { self.steps = steps }
    func afterIteration(_ iteration: Iteration) throws -> [(name: String, value: Double)] {
        if iteration.agent.stepsDone >= steps { throw Crashed() }
        return []
    }
}

@Suite("Sweep specs expand into stable numbered tasks")
struct SweepSpecTests {
    @Test func theGridExpandsEntryThenSettingsThenSeed() throws {
        let spec = try SweepSpec(yaml: smallSpec)
        let tasks = try spec.tasks()
        #expect(tasks.count == 4)
        #expect(tasks.map(\.index) == [0, 1, 2, 3])
        #expect(tasks.map(\.seed) == [0, 1, 0, 1])
        #expect(tasks[0].settings == ["n_steps=64", "batch_size=64", "n_epochs=2", "learning_rate=0.0003"])
        #expect(tasks[2].variedSettings == ["learning_rate=0.001"])
        #expect(tasks[3].key == "ppo CartPole-v1 learning_rate=0.001 seed=1")
        // The same spec always gives the same numbers.
        #expect(try SweepSpec(yaml: smallSpec).tasks() == tasks)
    }

    @Test func environmentsTakeOptionsAndSeedsAList() throws {
        let spec = try SweepSpec(yaml: "name: b\nagents: [dqn, ppo]\nenvs: [{id: BitFlip-v0, options: {n: 8}}, CartPole-v1]\nseeds: [3, 7]\n")
        let tasks = try spec.tasks()
        #expect(tasks.count == 8)
        #expect(tasks[0].environment == EnvironmentReference("BitFlip-v0", options: ["n": "8"]))
        #expect(tasks.map(\.agent).prefix(4) == ["dqn", "dqn", "ppo", "ppo"])
        #expect(tasks[1].key == "dqn BitFlip-v0[n=8] seed=7")
    }

    @Test func aBenchSpecTakesTheBenchmarksEntries() throws {
        let spec = try SweepSpec(yaml: "name: c\nbench: classic\nonly: CartPole-v1\nseeds: 2\n")
        let tasks = try spec.tasks()
        #expect(spec.preset == "zoo")
        #expect(try tasks.count == 2 * ClassicBenchmark.entries(only: "CartPole-v1", quick: false).count)
        #expect(tasks[0].agent == "ppo" && tasks[1].agent == "ppo" && tasks[2].agent == "a2c")
    }

    @Test func badSpecsAreOneLineErrors() {
        expectError("unknown agent 'ppo2'") { _ = try SweepSpec(yaml: "name: x\nagents: [ppo2]\nenvs: [CartPole-v1]\n") }
        expectError("'seed'", "is not a sweep setting") { _ = try SweepSpec(yaml: "name: x\nagents: [ppo]\nenvs: [CartPole-v1]\nseed: 3\n") }
        expectError("needs a name") { _ = try SweepSpec(yaml: "agents: [ppo]\nenvs: [CartPole-v1]\n") }
        expectError("name must be") { _ = try SweepSpec(yaml: "name: ../up\nagents: [ppo]\nenvs: [CartPole-v1]\n") }
        expectError("seeds repeat") { _ = try SweepSpec(yaml: "name: x\nagents: [ppo]\nenvs: [CartPole-v1]\nseeds: [1, 1]\n") }
        expectError("not both") { _ = try SweepSpec(yaml: "name: x\nbench: classic\nagents: [ppo]\n") }
        expectError("is not YAML") { _ = try SweepSpec(yaml: "name: [x\n") }
        expectError("steps must be a whole number") { _ = try SweepSpec(yaml: "name: x\nagents: [ppo]\nenvs: [CartPole-v1]\nsteps: -5\n") }
        // A bad value fails the plan, not a task on a cluster.
        expectError("learning_rate") {
            _ = try SweepSpec(yaml: "name: x\nagents: [ppo]\nenvs: [CartPole-v1]\nset: {learning_rate: [0.1, -1]}\n").tasks()
        }
        expectError("unknown entry") { _ = try SweepSpec(yaml: "name: x\nbench: classic\nonly: Nope-v0\n").tasks() }
    }
}

@Suite("Sweep tasks run once, resume exactly and merge to the same table")
struct SweepRunTests {
    @Test func anEditedSpecIsRefusedAgainstItsPlan() throws {
        let root = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try Sweep(spec: SweepSpec(yaml: smallSpec), root: root).plan()
        let edited = try Sweep(spec: SweepSpec(yaml: smallSpec.replacingOccurrences(of: "seeds: 2", with: "seeds: 3")), root: root)
        expectError("changed since", "new name") { try edited.plan() }
        expectError("task 9 is not in small") { _ = try Sweep(spec: SweepSpec(yaml: smallSpec), root: root).run(task: 9) }
    }

    @Test func aCrashedTaskResumesToTheUninterruptedResultAndTheMergeIgnoresOrder() throws {
        let spec = try SweepSpec(yaml: smallSpec)
        let (a, b) = (try scratchFolder(), try scratchFolder())
        defer { for f in [a, b] { try? FileManager.default.removeItem(at: f) } }
        let straight = try Sweep(spec: spec, root: a), other = try Sweep(spec: spec, root: b)
        for i in straight.tasks.indices { _ = try straight.run(task: i) }
        // The other sweep runs its tasks backwards, and task 1 crashes once after its second checkpoint.
        #expect(throws: Crash.Crashed.self) { _ = try other.run(task: 1, progress: [Crash(after: 600)]) }
        #expect(try other.states()[1] == .partial)
        for i in other.tasks.indices.reversed() { _ = try other.run(task: i) }
        #expect(try other.states().allSatisfy { $0 == .done })
        for i in spec.seeds.indices {
            let x = try #require(try straight.result(i)), y = try #require(try other.result(i))
            #expect(x.run.evalMean == y.run.evalMean && x.run.bestMean == y.run.bestMean && x.run.steps == y.run.steps)
        }
        let one = SweepReport(sweep: straight, results: try straight.results())
        let two = SweepReport(sweep: other, results: try other.results())
        #expect(one.scoresCSV == two.scoresCSV)
        #expect(one.markdownTable() == two.markdownTable())
        #expect(one.rows.count == 2 && one.missing.isEmpty)
        // Running a finished task again changes nothing.
        guard case .alreadyDone(let again) = try straight.run(task: 0) else {
            Issue.record("a finished task ran again")
            return
        }
        #expect(again.run.evalMean == (try straight.result(0))?.run.evalMean)
        try one.write(to: a.appendingPathComponent("merged"))
        let written = try String(contentsOf: a.appendingPathComponent("merged/scores.csv"), encoding: .utf8)
        #expect(written == one.scoresCSV)
        #expect(FileManager.default.fileExists(atPath: a.appendingPathComponent("merged/CartPole-v1.svg").path))
    }

    @Test func aMergeListsTheTasksNotDone() throws {
        let root = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let sweep = try Sweep(spec: SweepSpec(yaml: smallSpec), root: root)
        _ = try sweep.run(task: 2)
        let report = SweepReport(sweep: sweep, results: try sweep.results())
        #expect(report.missing == [0, 1, 3])
        #expect(report.rows.map(\.name) == ["ppo CartPole-v1 learning_rate=0.001"])
        // A damaged result is an error, not a silent gap.
        try Data("{".utf8).write(to: sweep.taskFolder(2).appendingPathComponent("result.json"))
        expectError("is damaged") { _ = try sweep.results() }
    }

    @Test func scontrolsLinesGiveEachArrayTasksState() {
        let text = """
            JobId=12 ArrayJobId=10 ArrayTaskId=2 ArrayTaskThrottle=2 JobName=athanor-small JobState=COMPLETED Reason=None
            JobId=13 ArrayJobId=10 ArrayTaskId=3 JobName=athanor-small JobState=CANCELLED Reason=None
            JobId=10 ArrayJobId=10 ArrayTaskId=4-7%2 JobName=athanor-small JobState=PENDING Reason=JobArrayTaskLimit
            """
        #expect(SlurmQueue.scontrolStates(text) == [2: "COMPLETED", 3: "CANCELLED"])
    }

    @Test func theSlurmScriptIsAJobArrayOfTheTaskRunner() throws {
        let sweep = try Sweep(spec: SweepSpec(yaml: smallSpec), root: URL(fileURLWithPath: "/data/sweeps"))
        var submission = SlurmSubmission()
        (submission.arrayLimit, submission.partition, submission.cpusPerTask, submission.tasks) = (2, "cpu", 1, [0, 1, 3])
        let script = submission.script(for: sweep, spec: URL(fileURLWithPath: "/data/small.yml"), root: URL(fileURLWithPath: "/data/sweeps"),
                                       athanor: "/opt/athanor")
        #expect(script.hasPrefix("#!/bin/bash\n"))
        #expect(script.contains("#SBATCH --array=0-1,3%2\n"))
        #expect(script.contains("#SBATCH --partition=cpu\n"))
        #expect(script.contains("#SBATCH --requeue\n"))
        #expect(script.contains("#SBATCH --output=/data/sweeps/small/logs/%a.log\n"))
        #expect(script.contains("export OPENBLAS_NUM_THREADS=1 ATHANOR_THREADS=1\n"))
        #expect(script.contains("exec '/opt/athanor' sweep run '/data/small.yml' --root '/data/sweeps' --task \"$SLURM_ARRAY_TASK_ID\""))
    }
}
