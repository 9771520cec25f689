namespace PolyComGen.Generator.Composition;

/// <summary>A row scalar of a split plan kept in a column of the row's float32 statistics, between launches and ranks.</summary>
/// <param name="Name">The reduction's or scale's name.</param>
/// <param name="Column">Its column.</param>
internal sealed record StatisticColumn(string Name, int Column);

/// <summary>The statistics of a split plan's rows: a float32 row of <paramref name="Columns"/> per row of x.</summary>
/// <param name="Columns">The columns per row.</param>
/// <param name="Writes">True for the statistics kernel, which writes its stage's columns; false for the apply kernel, which reads.</param>
internal sealed record StatisticsRow(int Columns, bool Writes);
