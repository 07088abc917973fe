// `metrics.csv` as read back from a run directory: any text gives a header (or none) and the
// rows that parse, whose steps grow. Every row is read.
import Foundation
import Training

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = data.map { String(decoding: UnsafeBufferPointer(start: $0, count: size), as: UTF8.self) } ?? ""
    let csv = MetricsCSV(text)
    var previous = 0
    var characters = 0
    var finiteReturns = 0
    for row in csv.rows {
        precondition(row.steps > previous, "rows' steps do not grow: \(row.steps) after \(previous)")
        previous = row.steps
        characters += row.line.count
        if row.meanReturn.isFinite { finiteReturns += 1 }
    }
    precondition(csv.header != nil || csv.rows.isEmpty, "rows without a header")
    if getenv("ATHANOR_FUZZ_VERBOSE") != nil {
        print("header: \(csv.header ?? "none"); \(csv.rows.count) rows, \(characters) characters, \(finiteReturns) finite returns")
    }
    return 0
}
