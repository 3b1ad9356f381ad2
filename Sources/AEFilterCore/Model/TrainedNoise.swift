extension Checkpoint {
    /// The noise models the checkpoint was trained on, from its metadata
    /// (`train.noise_mix`, else `train.noise_model`, else `noise_model`);
    /// nil when it records none.
    public var trainedNoiseModels: [String]? {
        if let mix = metadata[.trainNoiseMix], mix != "none" {
            return mix.split(separator: ",").map { String($0.prefix { $0 != "=" }) }
        }
        return (metadata[.trainNoiseModel] ?? metadata[.noiseModel]).map { [$0] }
    }
}
