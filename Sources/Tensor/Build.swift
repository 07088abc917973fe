import COpenBLAS
import Foundation

// What this binary computes with: the instruction set its Swift code was compiled for and the
// OpenBLAS kernels it runs. Both decide the last bits of every result, so result tables record
// them, and the default build fixes both so that every machine meeting the baseline gives the
// same numbers for the same seed.

/// The build: which instruction set the Swift code targets (Package.swift sets it).
public enum Build {
    /// `baseline` (x86-64-v3, or ARMv8 on arm64: the default), `native` (the build host's own
    /// instruction set, `ATHANOR_CPU=native`) or `generic` (no CPU flags, as in a package that
    /// depends on Athanor by version).
    public static var cpuTarget: String {
        #if ATHANOR_CPU_NATIVE
        "native"
        #elseif ATHANOR_CPU_BASELINE
        "baseline"
        #else
        "generic"
        #endif
    }

    /// The target with what it means on this architecture, as result tables print it.
    public static var summary: String {
        #if arch(x86_64)
        switch cpuTarget {
        case "baseline": "baseline (x86-64-v3: AVX2, FMA)"
        case "native": "native (the build host's instruction set)"
        default: "generic (x86-64, no FMA)"
        }
        #else
        cpuTarget == "native" ? "native (the build host's instruction set)" : "\(cpuTarget) (ARMv8: NEON, FMA)"
        #endif
    }

    /// Nil when this CPU can run the build; otherwise why not. A baseline build on x86_64 needs
    /// AVX2 and FMA, and without them would stop on an illegal instruction somewhere inside.
    public static var unsupportedCPU: String? {
        #if arch(x86_64) && os(Linux)
        if cpuTarget == "baseline", !(CPUFeatures.current.contains("avx2") && CPUFeatures.current.contains("fma")) {
            return "this build targets x86-64-v3 (AVX2 and FMA) and this CPU lacks them; rebuild with ATHANOR_CPU=generic (make CPU=generic)"
        }
        #endif
        return nil
    }
}

/// OpenBLAS as this process uses it.
public enum BLAS {
    /// Runs once, before the first product: the kernels (`pinKernels`), and one thread. A product's bits
    /// depend on how many threads OpenBLAS splits it across (REINFORCE's weight gradients differ between
    /// one and two), and the count is one setting for the whole process, so a default of "all cores" let a
    /// `learn` on one thread (which sets one) change the numbers of an agent stepped on another. Code that
    /// wants OpenBLAS's threads asks for them (`setThreadCount`: `athanor perf`'s sgemm, the LM on > 2 cores);
    /// `OPENBLAS_NUM_THREADS` set by the user is left as OpenBLAS read it.
    static let configured: Void = {
        pinKernels()
        if getenv("OPENBLAS_NUM_THREADS") == nil { openblas_set_num_threads(1) }
    }()

    /// The kernel family OpenBLAS runs (`Haswell`, `SkylakeX`, `Zen`, …).
    public static var coreName: String {
        _ = configured
        return String(cString: openblas_get_corename())
    }

    /// OpenBLAS's version as it reports it (`0.3.21`).
    public static var version: String {
        let words = String(cString: openblas_get_config()).split(separator: " ")
        return words.count > 1 && words[0] == "OpenBLAS" ? String(words[1]) : words.joined(separator: " ")
    }

    /// Threads OpenBLAS may use for one product (one unless set).
    public static var threadCount: Int {
        _ = configured
        return Int(openblas_get_num_threads())
    }

    public static func setThreadCount(_ count: Int) {
        _ = configured
        openblas_set_num_threads(Int32(clamping: count))
    }

    /// A DYNAMIC_ARCH OpenBLAS (Debian's) picks its kernels by CPU model, and on a model newer
    /// than the library it falls back to its SSE3 kernels (Prescott), at half speed or less —
    /// Debian's 0.3.21 does so on Sapphire and Emerald Rapids. So when its choice is below what
    /// the CPU runs, we switch to the kernels the CPU can run (SkylakeX with AVX-512, else Haswell
    /// with AVX2 and FMA). `OPENBLAS_CORETYPE` set by the user always wins; `Haswell` gives every
    /// x86-64-v3 machine the same kernels, and so the same bits. OpenBLAS reads its core type when
    /// it is loaded, so switching re-runs its own initialisation, found by name; a build without
    /// DYNAMIC_ARCH has no such entry points and keeps its one set of kernels.
    private static func pinKernels() {
        #if arch(x86_64) && os(Linux)
        guard getenv("OPENBLAS_CORETYPE") == nil else { return }
        let current = String(cString: openblas_get_corename()).lowercased()
        let level = CPUFeatures.current.kernelLevel
        let running = ["skylakex", "cooperlake", "sapphirerapids"].contains(current) ? 2
            : ["haswell", "zen"].contains(current) ? 1 : 0
        guard level > running else { return }
        let wanted = level == 2 ? "SkylakeX" : "Haswell"
        guard let quit = dlsym(nil, "gotoblas_dynamic_quit"), let initialise = dlsym(nil, "gotoblas_dynamic_init"),
              dlsym(nil, "gotoblas_\(wanted.uppercased())") != nil else { return }
        typealias Entry = @convention(c) () -> Void
        setenv("OPENBLAS_CORETYPE", wanted, 1)
        unsafeBitCast(quit, to: Entry.self)()
        unsafeBitCast(initialise, to: Entry.self)()
        // Child processes (the Python anchors' own OpenBLAS) must not inherit our choice.
        unsetenv("OPENBLAS_CORETYPE")
        #endif
    }
}

/// The instruction-set extensions the kernel reports for this CPU (Linux's /proc/cpuinfo).
struct CPUFeatures {
    let flags: Set<Substring>

    static let current: CPUFeatures = {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("flags") || $0.hasPrefix("Features") }
        let values = line?.split(separator: ":", maxSplits: 1).last ?? ""
        return CPUFeatures(flags: Set(values.split(separator: " ")))
    }()

    func contains(_ flag: Substring) -> Bool { flags.contains(flag) }

    /// 2: AVX-512 (F, CD, BW, DQ, VL: SkylakeX kernels); 1: AVX2 + FMA (Haswell kernels); 0: neither.
    var kernelLevel: Int {
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return 2 }
        return contains("avx2") && contains("fma") ? 1 : 0
    }
}
