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
        id: "CartPoleContinuous-v0", summary: "MBRL-Lib's continuous cart-pole (PETS): force a·10 N for a in [−1, 1], +1 per step, 200-step trials",
        maxEpisodeSteps: 200
    ) { _ in TimeLimit(CartPoleContinuous(), maxEpisodeSteps: 200) },
    EnvironmentSpec(
        id: "MountainCar-v0", summary: "drive an underpowered car up a hill (Moore 1990); −1 per step",
        options: [.init("goal_velocity", default: "0", "velocity needed at the goal")],
        maxEpisodeSteps: 200
    ) { options in
        TimeLimit(MountainCar(goalVelocity: try options.double("goal_velocity", default: 0)), maxEpisodeSteps: 200)
    },
    EnvironmentSpec(
        id: "MountainCarContinuous-v0", summary: "MountainCar with a force in [−1, 1] (continuous); −0.1·a² per step, +100 at the goal",
        options: [.init("goal_velocity", default: "0", "velocity needed at the goal")],
        maxEpisodeSteps: 999
    ) { options in
        TimeLimit(MountainCarContinuous(goalVelocity: try options.double("goal_velocity", default: 0)), maxEpisodeSteps: 999)
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
    EnvironmentSpec(
        id: "Gridworld5x5-v0", summary: "Sutton & Barto Example 3.5: A→A′ +10, B→B′ +5, off-grid −1 (continuing)",
        maxEpisodeSteps: nil
    ) { _ in GridWorld.suttonBarto5x5() },
    EnvironmentSpec(
        id: "Gridworld4x4-v0", summary: "Sutton & Barto Example 4.1: −1 per move until a terminal corner",
        maxEpisodeSteps: nil
    ) { _ in GridWorld.suttonBarto4x4() },
    EnvironmentSpec(
        id: "WindyGridworld-v0", summary: "Sutton & Barto Example 6.5: upward wind per column, −1 per step",
        options: [.init("king_moves", default: "false", "eight compass moves (Exercise 6.9)"),
                  .init("stochastic_wind", default: "false", "wind varies by ±1 (Exercise 6.10)")],
        maxEpisodeSteps: nil
    ) { options in
        GridWorld.windy(kingMoves: try options.bool("king_moves", default: false),
                        stochasticWind: try options.bool("stochastic_wind", default: false))
    },
    EnvironmentSpec(
        id: "DynaMaze-v0", summary: "Sutton & Barto Figure 8.2: a 6×9 maze, +1 at the goal",
        maxEpisodeSteps: nil
    ) { _ in GridWorld.dynaMaze() },
    EnvironmentSpec(
        id: "FourRooms-v0", summary: "Sutton, Precup & Singh (1999): four rooms joined by hallways, +1 at the goal",
        options: [.init("success_rate", default: "0.667", "probability of moving as intended")],
        maxEpisodeSteps: nil
    ) { options in GridWorld.fourRooms(successRate: try options.double("success_rate", default: 2.0 / 3.0, in: 0...1)) },
    EnvironmentSpec(
        id: "KArmedBandit-v0", summary: "Sutton & Barto §2.3 testbed: q*(a) ~ N(mean, 1), rewards ~ N(q*(a), 1)",
        options: [.init("arms", default: "10", "number of arms"),
                  .init("stationary", default: "true", "false: q* take random walks (Exercise 2.5)"),
                  .init("mean", default: "0", "mean of the true values (Figure 2.5 uses 4)")],
        maxEpisodeSteps: 1000
    ) { options in
        TimeLimit(GaussianBandit(arms: try options.int("arms", default: 10, in: 1...10_000),
                                 stationary: try options.bool("stationary", default: true),
                                 mean: try options.double("mean", default: 0)), maxEpisodeSteps: 1000)
    },
    EnvironmentSpec(
        id: "BernoulliBandit-v0", summary: "arms pay 1 with probability p(a) ~ U(0, 1)",
        options: [.init("arms", default: "10", "number of arms")],
        maxEpisodeSteps: 1000
    ) { options in
        TimeLimit(BernoulliBandit(arms: try options.int("arms", default: 10, in: 1...10_000)), maxEpisodeSteps: 1000)
    },
    EnvironmentSpec(
        id: "ContextualBandit-v0", summary: "linear payoffs θ_aᵀx + noise for a Gaussian context x (LinUCB's setting)",
        options: [.init("arms", default: "5", "number of arms"), .init("dimension", default: "4", "context features"),
                  .init("noise", default: "0.1", "reward noise standard deviation")],
        maxEpisodeSteps: 1000
    ) { options in
        TimeLimit(ContextualLinearBandit(arms: try options.int("arms", default: 5, in: 1...10_000),
                                         dimension: try options.int("dimension", default: 4, in: 1...10_000),
                                         noise: try options.double("noise", default: 0.1, in: 0...1e6)), maxEpisodeSteps: 1000)
    },
    EnvironmentSpec(
        id: "BitFlip-v0", summary: "HER's bit flipping: reach a random n-bit pattern; −1 until solved",
        options: [.init("n", default: "8", "number of bits (episodes last n steps)")],
        maxEpisodeSteps: nil
    ) { options in
        let n = try options.int("n", default: 8, in: 1...1024)
        return TimeLimit(BitFlip(bits: n), maxEpisodeSteps: n)
    },
    EnvironmentSpec(
        id: "GoalGridworld-v0", summary: "reach a goal cell drawn at reset; −1 per step until there",
        options: [.init("size", default: "8", "grid side (episodes last 4·size steps)")],
        maxEpisodeSteps: nil
    ) { options in
        let size = try options.int("size", default: 8, in: 2...1024)
        return TimeLimit(GoalGridworld(size: size), maxEpisodeSteps: 4 * size)
    },
    EnvironmentSpec(
        id: "PointMass-v0", summary: "push a point mass on [−1, 1]² into a goal disc (continuous); −1 until inside",
        options: [.init("radius", default: "0.1", "goal disc radius (distance_threshold)")],
        maxEpisodeSteps: 50
    ) { options in
        TimeLimit(PointMass(reward: .sparse, radius: Float(try options.double("radius", default: 0.1, in: 0.001...2))), maxEpisodeSteps: 50)
    },
    EnvironmentSpec(
        id: "PointMassDense-v0", summary: "PointMass-v0 with the dense reward −‖position − goal‖",
        options: [.init("radius", default: "0.1", "goal disc radius (distance_threshold)")],
        maxEpisodeSteps: 50
    ) { options in
        TimeLimit(PointMass(reward: .dense, radius: Float(try options.double("radius", default: 0.1, in: 0.001...2))), maxEpisodeSteps: 50)
    },
    EnvironmentSpec(
        id: "RandomWalk-v0", summary: "Sutton & Barto Example 6.2: a five-state walk for prediction, +1 at the right end",
        options: [.init("states", default: "5", "non-terminal states")],
        maxEpisodeSteps: nil
    ) { options in RandomWalk(states: try options.int("states", default: 5, in: 1...1001)) },
    EnvironmentSpec(
        id: "Gambler-v0", summary: "Sutton & Barto Example 4.3: stake capital on coin flips until 0 or the goal",
        options: [.init("goal", default: "100", "capital to reach"), .init("p_h", default: "0.4", "probability of heads")],
        maxEpisodeSteps: nil
    ) { options in
        Gambler(goal: try options.int("goal", default: 100, in: 2...100_000),
                headsProbability: try options.double("p_h", default: 0.4, in: 0...1))
    },
])
