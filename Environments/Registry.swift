import RL

/// Every environment Athanor ships, by Gymnasium-style id. `make` wraps each in the
/// `TimeLimit` of its Gymnasium registration, as `gymnasium.make` does.
public let environments = EnvironmentRegistry([
    EnvironmentSpec(
        id: "CartPole-v1", summary: "balance a pole on a cart (Barto et al. 1983); +1 per step",
        options: [.init("sutton_barto_reward", default: "false", "reward 0 per step and −1 on failure")],
        maxEpisodeSteps: 500
    ) { options in
        TimeLimit(CartPole(suttonBartoReward: try options.bool("sutton_barto_reward", default: false)), maxEpisodeSteps: 500)
    },
    EnvironmentSpec(
        id: "MountainCar-v0", summary: "drive an underpowered car up a hill (Moore 1990); −1 per step",
        options: [.init("goal_velocity", default: "0", "velocity needed at the goal")],
        maxEpisodeSteps: 200
    ) { options in
        TimeLimit(MountainCar(goalVelocity: try options.double("goal_velocity", default: 0)), maxEpisodeSteps: 200)
    },
    EnvironmentSpec(
        id: "Acrobot-v1", summary: "swing a two-link arm's tip above the bar (Sutton 1996); −1 per step",
        maxEpisodeSteps: 500
    ) { _ in TimeLimit(Acrobot(), maxEpisodeSteps: 500) },
    EnvironmentSpec(
        id: "Pendulum-v1", summary: "swing a pendulum upright with a bounded torque (continuous action)",
        options: [.init("g", default: "10.0", "gravity")],
        maxEpisodeSteps: 200
    ) { options in
        TimeLimit(Pendulum(gravity: try options.double("g", default: 10, in: 0...100)), maxEpisodeSteps: 200)
    },
    EnvironmentSpec(
        id: "FrozenLake-v1", summary: "cross slippery ice from S to G avoiding holes; reward 1 at the goal",
        options: [.init("map_name", default: "4x4", "4x4 or 8x8"),
                  .init("is_slippery", default: "true", "move perpendicular with probability 1 − success_rate"),
                  .init("success_rate", default: "0.333…", "probability of moving as intended on slippery ice"),
                  .init("desc", default: "", "a custom map, rows separated by commas (e.g. SFF,FHF,FFG)")],
        maxEpisodeSteps: 100
    ) { options in
        let mapName = try options.choice("map_name", default: "4x4", from: ["4x4", "8x8"])
        let rows = options.values["desc"].map { $0.split(separator: ",").map(String.init) } ?? FrozenLake.maps[mapName]!
        guard !rows.isEmpty, rows.allSatisfy({ $0.count == rows[0].count && $0.allSatisfy("SFHG".contains) }),
              rows.joined().filter({ $0 == "S" }).count == 1 else {
            throw EnvironmentError.invalidOption(id: "FrozenLake-v1", option: "desc", value: options.values["desc"] ?? "",
                                                 expected: "equal-length rows of S, F, H, G with exactly one S")
        }
        let lake = FrozenLake(map: rows, isSlippery: try options.bool("is_slippery", default: true),
                              successRate: try options.double("success_rate", default: 1.0 / 3.0, in: 0...1))
        // Gymnasium registers 100 steps for the 4×4 lake and 200 for FrozenLake8x8-v1.
        return TimeLimit(lake, maxEpisodeSteps: mapName == "8x8" && options.values["desc"] == nil ? 200 : 100)
    },
    EnvironmentSpec(
        id: "FrozenLake8x8-v1", summary: "FrozenLake-v1 on the 8×8 map",
        options: [.init("is_slippery", default: "true", "move perpendicular with probability 2/3")],
        maxEpisodeSteps: 200
    ) { options in
        TimeLimit(FrozenLake(map: FrozenLake.maps["8x8"]!, isSlippery: try options.bool("is_slippery", default: true)),
                  maxEpisodeSteps: 200)
    },
    EnvironmentSpec(
        id: "CliffWalking-v1", summary: "walk along a cliff to the goal (Sutton & Barto Ex. 6.6); −100 for falling",
        options: [.init("is_slippery", default: "false", "move perpendicular with probability 2/3")],
        maxEpisodeSteps: nil
    ) { options in
        CliffWalking(isSlippery: try options.bool("is_slippery", default: false))
    },
])
