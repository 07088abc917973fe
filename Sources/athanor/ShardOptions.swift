import ArgumentParser
import Benchmarks

/// `--shard I/N` and `--merge DIRS`, which every bench that is a grid of runs takes: N processes (machines,
/// array tasks) each run a part, and the merge of their output folders is the unsplit table.
struct ShardOptions: ParsableArguments {
    @Option(help: "Run only part I of N (I/N): the runs whose place in the bench's order is I modulo N; join the parts with --merge.")
    var shard: String?
    @Option(help: "Run nothing: the table from these output folders of the parts (their runs), comma-separated.")
    var merge: String?

    func validate() throws {
        if let shard { _ = try Shard(parsing: shard) }
        guard shard == nil || merge == nil else { throw ValidationError("--shard runs a part; --merge joins parts: give one") }
    }

    /// The part this process runs (the whole bench without --shard).
    func part() throws -> Shard { try shard.map(Shard.init(parsing:)) ?? .whole }
}
