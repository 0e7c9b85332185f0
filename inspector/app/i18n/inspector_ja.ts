<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>AnalysisDialog</name>
    <message>
        <source>Analysis</source>
        <translation>分析</translation>
    </message>
    <message>
        <source>A {kind} model has no memory bank: the histogram and the PCA need PatchCore.</source>
        <translation>{kind} モデルにはメモリバンクがありません。ヒストグラムと PCA には PatchCore が必要です。</translation>
    </message>
    <message>
        <source>Recompute</source>
        <translation>再計算</translation>
    </message>
    <message>
        <source>Feature maps</source>
        <translation>特徴マップ</translation>
    </message>
    <message>
        <source>sum over the vector&apos;s dimensions, normalised to 0-255</source>
        <translation>ベクトルの全次元の和（0〜255 に正規化）</translation>
    </message>
    <message>
        <source>memory-bank vectors</source>
        <translation>メモリバンクのベクトル数</translation>
    </message>
    <message>
        <source>Memory bank</source>
        <translation>メモリバンク</translation>
    </message>
    <message>
        <source>memory bank (good)</source>
        <translation>メモリバンク（良品）</translation>
    </message>
    <message>
        <source>this part&apos;s patches</source>
        <translation>このワークのパッチ</translation>
    </message>
    <message>
        <source>false-positive rate (good parts flagged)</source>
        <translation>偽陽性率（不良とされた良品）</translation>
    </message>
    <message>
        <source>true-positive rate (defects caught)</source>
        <translation>真陽性率（検出された不良）</translation>
    </message>
    <message>
        <source>Evaluate on labelled parts…</source>
        <translation>ラベル付きのワークで評価…</translation>
    </message>
    <message>
        <source>Train and score each geometry on the reviewed parts or on a labelled folder, side by side, with a table per defect type</source>
        <translation>画像の扱いごとに、目視確認済みのワークまたはラベル付きフォルダで学習・採点して並べて比べます（不良の種類ごとの表付き）</translation>
    </message>
    <message>
        <source>Train a model first: the analysis shows what a trained model sees.</source>
        <translation>先にモデルを学習してください。分析には学習済みモデルが必要です。</translation>
    </message>
    <message>
        <source>part “{name}”</source>
        <translation>ワーク「{name}」</translation>
    </message>
    <message>
        <source>no part (inspect parts to see their maps)</source>
        <translation>ワークなし（検査するとマップが表示されます）</translation>
    </message>
    <message>
        <source>Waiting for “{job}” to finish…</source>
        <translation>「{job}」の終了を待っています…</translation>
    </message>
    <message>
        <source>Computing the analysis of {which}…</source>
        <translation>{which}を分析しています…</translation>
    </message>
    <message>
        <source>The analysis failed: {error}</source>
        <translation>分析に失敗しました: {error}</translation>
    </message>
    <message>
        <source>Part “{name}”</source>
        <translation>ワーク「{name}」</translation>
    </message>
    <message>
        <source>No part selected</source>
        <translation>ワークが選択されていません</translation>
    </message>
    <message>
        <source>Select an inspected part in the Results tab to see its feature maps.</source>
        <translation>結果タブで検査済みのワークを選ぶと、その特徴マップが表示されます。</translation>
    </message>
    <message>
        <source>Each chosen layer&apos;s output summed over its channels and min-max normalised (dark = low, bright = high), laid over the whole image.</source>
        <translation>選択した各層の出力をチャンネル方向に合計し、最小・最大で正規化して画像全体に重ねています（暗い = 低い、明るい = 高い）。</translation>
    </message>
    <message>
        <source>image</source>
        <translation>画像</translation>
    </message>
    <message>
        <source>{layer} ({w}×{h} patches)</source>
        <translation>{layer}（{w}×{h} パッチ）</translation>
    </message>
    <message>
        <source>PC 1 ({share} of the bank&apos;s variance)</source>
        <translation>第1主成分（バンクの分散の {share}）</translation>
    </message>
    <message>
        <source>this part&apos;s patches: bright = far from every good patch</source>
        <translation>このワークのパッチ: 明るいほど、どの良品パッチからも遠い</translation>
    </message>
    <message>
        <source>The ROC curve needs reviewed parts of both kinds: mark at least one part Good and one Defect in the Review tab.</source>
        <translation>ROC 曲線には両方の確認結果が必要です。目視確認タブで少なくとも 1 つを良品、1 つを不良品にしてください。</translation>
    </message>
    <message>
        <source>AUROC {auroc:.3f} over {good} good and {defect} defect reviewed parts (reviewed parts only: mostly the flagged ones)</source>
        <translation>AUROC {auroc:.3f}（確認済みの良品 {good} 件・不良品 {defect} 件。確認済みのワークのみ: 主に要確認とされたもの）</translation>
    </message>
</context>
<context>
    <name>BackbonePicker</name>
    <message>
        <source>Choose at least one layer.</source>
        <translation>層を 1 つ以上選んでください。</translation>
    </message>
    <message>
        <source>(×{ratio:.2f} of {reference})</source>
        <translation>（{reference} の ×{ratio:.2f}）</translation>
    </message>
    <message>
        <source>Features: {dims} = {total} dims per position on a {grid} grid · ≈ {gmacs:.2f} GMACs per image</source>
        <translation>特徴: {dims} = 位置あたり {total} 次元、{grid} グリッド · 1 画像あたり約 {gmacs:.2f} GMACs</translation>
    </message>
    <message>
        <source>imported file {detail}</source>
        <translation>インポート済みファイル {detail}</translation>
    </message>
    <message>
        <source>cached from the timm hub {detail}</source>
        <translation>timm ハブからキャッシュ済み {detail}</translation>
    </message>
    <message>
        <source>needs download from the timm hub {detail}</source>
        <translation>timm ハブからのダウンロードが必要 {detail}</translation>
    </message>
    <message>
        <source>no pretrained weights on the timm hub: import a weights file</source>
        <translation>timm ハブに事前学習済みの重みがありません。重みファイルをインポートしてください</translation>
    </message>
    <message>
        <source>Not available: {reason}</source>
        <translation>使用不可: {reason}</translation>
    </message>
    <message>
        <source>type to search the reference names and all timm models</source>
        <translation>入力して標準モデル名とすべての timm モデルを検索</translation>
    </message>
    <message>
        <source>Any timm model: type part of its name. The reference backbones come first.</source>
        <translation>任意の timm モデルを使えます。名前の一部を入力してください。標準のバックボーンが先に表示されます。</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>インポート…</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>ダウンロード</translation>
    </message>
    <message>
        <source>Backbone</source>
        <translation>バックボーン</translation>
    </message>
    <message>
        <source>Layers (feature map C×H×W, cost from the input up to the layer)</source>
        <translation>層（特徴マップ C×H×W、入力からその層までの計算量）</translation>
    </message>
    <message>
        <source>C×H×W: channels × grid rows × grid columns of the layer&apos;s feature map; each grid cell is one patch vector.
GMACs: billions of multiply-accumulates per image from the input up to that layer, a measure of speed.
The default layers (marked) are what PatchCore uses; deeper layers see larger defects, earlier ones finer texture.</source>
        <translation>C×H×W: 層の特徴マップのチャンネル数 × グリッドの行数 × 列数。グリッドの各セルが 1 つのパッチベクトルです。
GMACs: 入力からその層までの 1 画像あたりの積和演算数（10 億回単位）。速度の目安です。
既定の層（印付き）は PatchCore の標準です。深い層ほど大きな欠陥を、浅い層ほど細かいテクスチャを捉えます。</translation>
    </message>
    <message>
        <source>Stem layers too</source>
        <translation>ステム層も表示</translation>
    </message>
    <message>
        <source>Also list the stem (e.g. conv1, bn1: full-resolution maps right after the input, rarely useful for inspection)</source>
        <translation>ステム層（conv1、bn1 など入力直後の高解像度マップ。検査にはほとんど役立ちません）も一覧に表示します</translation>
    </message>
    <message>
        <source>a timm model outside the reference list</source>
        <translation>標準リスト外の timm モデル</translation>
    </message>
    <message>
        <source>Reading the layers of {backbone}…</source>
        <translation>{backbone} の層を読み込んでいます…</translation>
    </message>
    <message>
        <source>(default)</source>
        <translation>（既定）</translation>
    </message>
    <message>
        <source>module output {shape}, {mparams:.1f} M parameters up to here</source>
        <translation>モジュール出力 {shape}、ここまでのパラメータ数 {mparams:.1f} M</translation>
    </message>
    <message>
        <source>Weights: unknown</source>
        <translation>重み: 不明</translation>
    </message>
    <message>
        <source>Pretrained weights: {status}</source>
        <translation>事前学習済みの重み: {status}</translation>
    </message>
    <message>
        <source>Pretrained weights (not used: the weights file below is): {status}</source>
        <translation>事前学習済みの重み（未使用: 下の重みファイルを使用）: {status}</translation>
    </message>
    <message>
        <source>Import backbone weights</source>
        <translation>バックボーンの重みをインポート</translation>
    </message>
    <message>
        <source>Weights (*.safetensors *.pth *.pt *.bin);;All files (*)</source>
        <translation>重み (*.safetensors *.pth *.pt *.bin);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>Weights: checking {path}…</source>
        <translation>重み: {path} を確認しています…</translation>
    </message>
    <message>
        <source>Weights: not imported: {error}</source>
        <translation>重み: インポートできませんでした: {error}</translation>
    </message>
    <message>
        <source>the file has no weights for {modules}</source>
        <translation>このファイルには {modules} の重みがありません</translation>
    </message>
    <message>
        <source>Download {backbone}</source>
        <translation>{backbone} のダウンロード</translation>
    </message>
    <message>
        <source>Weights: another job is running; download later</source>
        <translation>重み: 別の処理が実行中です。後でダウンロードしてください</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Weights: download cancelled</source>
        <translation>重み: ダウンロードをキャンセルしました</translation>
    </message>
    <message>
        <source>Weights: download failed: {error}</source>
        <translation>重み: ダウンロードに失敗しました: {error}</translation>
    </message>
</context>
<context>
    <name>DamagedProject</name>
    <message>
        <source>Damaged project</source>
        <translation>破損したプロジェクト</translation>
    </message>
    <message>
        <source>Part of this project is damaged:</source>
        <translation>このプロジェクトの一部が破損しています:</translation>
    </message>
    <message>
        <source>Restore replaces the damaged files with the backup of {when} (the damaged ones are kept beside it). Open read-only shows what can still be read and changes nothing.</source>
        <translation>「復元」は破損したファイルを {when} のバックアップで置き換えます（破損したファイルはその横に残します）。「読み取り専用で開く」はまだ読める内容を表示し、何も変更しません。</translation>
    </message>
    <message>
        <source>There is no backup to restore from. Open read-only shows what can still be read and changes nothing.</source>
        <translation>復元できるバックアップがありません。「読み取り専用で開く」はまだ読める内容を表示し、何も変更しません。</translation>
    </message>
    <message>
        <source>Open read-only</source>
        <translation>読み取り専用で開く</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>復元</translation>
    </message>
</context>
<context>
    <name>EvaluateDialog</name>
    <message>
        <source>Evaluating on labelled parts</source>
        <translation>ラベル付きのワークで評価中</translation>
    </message>
    <message>
        <source>Evaluate on labelled parts</source>
        <translation>ラベル付きのワークで評価</translation>
    </message>
    <message>
        <source>A folder in the MVTec AD layout (train/good, test/&lt;type&gt;, ground_truth/&lt;type&gt;):</source>
        <translation>MVTec AD 形式のフォルダ（train/good、test/&lt;種類&gt;、ground_truth/&lt;種類&gt;）:</translation>
    </message>
    <message>
        <source>The project&apos;s reviewed parts (Good and Defect decisions, with the held-out good images; no masks)</source>
        <translation>プロジェクトの目視確認済みのワーク（良品・不良品の判断と検証用良品。マスクなし）</translation>
    </message>
    <message>
        <source>Folder with train/good and test/…</source>
        <translation>train/good と test/… を含むフォルダ</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <source>Geometries:</source>
        <translation>画像の扱い:</translation>
    </message>
    <message>
        <source>Use the project&apos;s region to inspect</source>
        <translation>プロジェクトの検査領域を使う</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>評価</translation>
    </message>
    <message>
        <source>Cancel evaluation</source>
        <translation>評価をキャンセル</translation>
    </message>
    <message>
        <source>Labelled images</source>
        <translation>ラベル付きの画像</translation>
    </message>
    <message>
        <source>Per image type: image AUROC % of each defect type against all good images</source>
        <translation>画像の種類ごと: 各不良の種類の画像 AUROC %（すべての良品画像に対して）</translation>
    </message>
    <message>
        <source>Use this geometry</source>
        <translation>この画像の扱いを使う</translation>
    </message>
    <message>
        <source>false-positive rate (good images flagged)</source>
        <translation>偽陽性率（良品を不良と判定した割合）</translation>
    </message>
    <message>
        <source>true-positive rate (defects caught)</source>
        <translation>真陽性率（不良を検出した割合）</translation>
    </message>
    <message>
        <source>model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>backbone</source>
        <translation>バックボーン</translation>
    </message>
    <message>
        <source>layers</source>
        <translation>層</translation>
    </message>
    <message>
        <source>geometry</source>
        <translation>画像の扱い</translation>
    </message>
    <message>
        <source>image AUROC %</source>
        <translation>画像 AUROC %</translation>
    </message>
    <message>
        <source>full-frame pixel AUROC %</source>
        <translation>全画面の画素 AUROC %</translation>
    </message>
    <message>
        <source>PRO %</source>
        <translation>PRO %</translation>
    </message>
    <message>
        <source>feature size</source>
        <translation>特徴の次元</translation>
    </message>
    <message>
        <source>fit s</source>
        <translation>学習 秒</translation>
    </message>
    <message>
        <source>ms/image</source>
        <translation>ms/画像</translation>
    </message>
    <message>
        <source>status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>The saved evaluation was not shown: {0}</source>
        <translation>保存済みの評価は表示しませんでした: {0}</translation>
    </message>
    <message>
        <source>The {0} model takes {1} only</source>
        <translation>{0} モデルが使えるのは {1} だけです</translation>
    </message>
    <message>
        <source>Slow: every tile of every image is scored</source>
        <translation>遅い: すべての画像のすべてのタイルを採点します</translation>
    </message>
    <message>
        <source>The project&apos;s model settings: {kind}, backbone {backbone}, layers {layers}, coreset ratio {ratio}, weights {weights}; its geometry now: {geometry}. Each geometry is trained and scored once.</source>
        <translation>プロジェクトのモデル設定: {kind}、バックボーン {backbone}、層 {layers}、コアセット比率 {ratio}、重み {weights}。現在の画像の扱い: {geometry}。画像の扱いごとに 1 回ずつ学習と採点をします。</translation>
    </message>
    <message>
        <source>A folder in the MVTec AD layout</source>
        <translation>MVTec AD 形式のフォルダ</translation>
    </message>
    <message>
        <source>The project already uses this geometry</source>
        <translation>プロジェクトはすでにこの画像の扱いを使っています</translation>
    </message>
    <message>
        <source>Set the selected row&apos;s geometry as the project&apos;s (the model must then be trained again)</source>
        <translation>選んだ行の画像の扱いをプロジェクトの設定にします（その後モデルの再学習が必要です）</translation>
    </message>
    <message>
        <source>“{0}” is still running: wait for it or cancel it.</source>
        <translation>「{0}」を実行中です。終わるまで待つか、キャンセルしてください。</translation>
    </message>
    <message>
        <source>The project has no good images to train on.</source>
        <translation>プロジェクトに学習用の良品画像がありません。</translation>
    </message>
    <message>
        <source>Reviewed parts of both kinds are needed: mark at least one part Defect in the Review tab, and one part Good (or train with 5 or more good images, so some are held out).</source>
        <translation>両方の確認結果が必要です。目視確認タブで少なくとも 1 つを不良品、1 つを良品にしてください（または良品画像を 5 枚以上にして学習し、検証用良品を作ってください）。</translation>
    </message>
    <message>
        <source>Evaluating {0} geometries on {1} labelled images (trained on {2})…</source>
        <translation>{0} 通りの画像の扱いを {1} 枚のラベル付き画像で評価しています（学習 {2} 枚）…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>キャンセル中…</translation>
    </message>
    <message>
        <source>Done: {0} of {1} geometries evaluated.</source>
        <translation>完了: {1} 通り中 {0} 通りの画像の扱いを評価しました。</translation>
    </message>
    <message>
        <source>The evaluation could not be saved: {0}</source>
        <translation>評価を保存できませんでした: {0}</translation>
    </message>
    <message>
        <source>The project is open read-only: the evaluation is shown, not saved.</source>
        <translation>プロジェクトは読み取り専用で開いています。評価は表示しますが保存しません。</translation>
    </message>
    <message>
        <source>Evaluation cancelled: {0} of {1} geometries finished.</source>
        <translation>評価をキャンセルしました: {1} 通り中 {0} 通りが完了しています。</translation>
    </message>
    <message>
        <source>The evaluation failed: {0}</source>
        <translation>評価に失敗しました: {0}</translation>
    </message>
    <message>
        <source>No evaluation yet: choose the labelled images and the geometries, then press Evaluate.</source>
        <translation>まだ評価していません。ラベル付きの画像と画像の扱いを選んで「評価」を押してください。</translation>
    </message>
    <message>
        <source>the project&apos;s reviewed parts</source>
        <translation>プロジェクトの目視確認済みのワーク</translation>
    </message>
    <message>
        <source>{0}: trained on {1} good images, scored {2} labelled images; saved {3}.</source>
        <translation>{0}: 良品画像 {1} 枚で学習、ラベル付き画像 {2} 枚を採点。保存 {3}。</translation>
    </message>
    <message>
        <source>Cancelled before every geometry was evaluated.</source>
        <translation>すべての画像の扱いを評価する前にキャンセルしました。</translation>
    </message>
    <message>
        <source>No pixel masks for reviewed parts: image AUROC only.</source>
        <translation>目視確認済みのワークには画素マスクがありません: 画像 AUROC のみです。</translation>
    </message>
    <message>
        <source>no masks</source>
        <translation>マスクなし</translation>
    </message>
    <message>
        <source>{0} (AUROC {1:.3f})</source>
        <translation>{0}（AUROC {1:.3f}）</translation>
    </message>
    <message>
        <source>good (reviewed)</source>
        <translation>良品（目視確認）</translation>
    </message>
    <message>
        <source>good (held out)</source>
        <translation>検証用良品</translation>
    </message>
    <message>
        <source>defect (reviewed)</source>
        <translation>不良品（目視確認）</translation>
    </message>
    <message>
        <source>type</source>
        <translation>種類</translation>
    </message>
    <message>
        <source>images</source>
        <translation>画像数</translation>
    </message>
    <message>
        <source>pass now</source>
        <translation>現在 良品</translation>
    </message>
    <message>
        <source>uncertain now</source>
        <translation>現在 判定保留</translation>
    </message>
    <message>
        <source>fail now</source>
        <translation>現在 不良品</translation>
    </message>
    <message>
        <source>{0}: image AUROC %</source>
        <translation>{0}: 画像 AUROC %</translation>
    </message>
    <message>
        <source>; pass / uncertain / fail: the verdicts the project&apos;s current model and thresholds give these parts</source>
        <translation>。良品 / 判定保留 / 不良品: 現在のモデルとしきい値によるこれらのワークの判定</translation>
    </message>
    <message>
        <source>Could not save the settings: {0}</source>
        <translation>設定を保存できませんでした: {0}</translation>
    </message>
    <message>
        <source>The project&apos;s geometry is now {0}. The model was trained with another one: press Train to train it again.</source>
        <translation>プロジェクトの画像の扱いを {0} にしました。モデルは別の画像の扱いで学習されています。「学習」を押して再学習してください。</translation>
    </message>
    <message>
        <source>The project&apos;s geometry is now {0}.</source>
        <translation>プロジェクトの画像の扱いを {0} にしました。</translation>
    </message>
</context>
<context>
    <name>GeometryChooser</name>
    <message>
        <source>Only the centre square of the resized image is inspected (the paper&apos;s MVTec AD set-up); the edges are never looked at.</source>
        <translation>リサイズした画像の中央の正方形だけを検査します（論文の MVTec AD の設定）。端は検査されません。</translation>
    </message>
    <message>
        <source>The entire image at its own aspect ratio: the shorter side goes to the size above, the longer side follows.</source>
        <translation>画像全体を元の縦横比のまま使います。短辺を上のサイズに合わせ、長辺はそれに従います。</translation>
    </message>
    <message>
        <source>The entire image squeezed to one square: fast whatever the image size; proportions change.</source>
        <translation>画像全体を 1 つの正方形に縮めます。画像サイズによらず高速ですが、縦横比が変わります。</translation>
    </message>
    <message>
        <source>Overlapping squares at the camera&apos;s resolution, maps stitched back: for small defects in large images (slower: every tile is scored).</source>
        <translation>カメラの解像度のまま重なり合う正方形に分割し、マップをつなぎ合わせます。大きな画像の小さな欠陥向けです（各タイルを採点するため低速）。</translation>
    </message>
    <message>
        <source>center-crop</source>
        <translation>中央切り出し</translation>
    </message>
    <message>
        <source>whole</source>
        <translation>全体</translation>
    </message>
    <message>
        <source>stretch</source>
        <translation>引き伸ばし</translation>
    </message>
    <message>
        <source>tiles</source>
        <translation>タイル</translation>
    </message>
    <message>
        <source> % of a tile</source>
        <translation> %（タイルに対する割合）</translation>
    </message>
    <message>
        <source>How much of a tile its neighbour shares (the overlaps are blended)</source>
        <translation>隣のタイルと重なる割合（重なりは合成されます）</translation>
    </message>
    <message>
        <source>Smallest defect it resolves: about {fx:.0f} x {fy:.0f} px in a {w}x{h} image (one patch of the feature grid)</source>
        <translation>検出できる最小の欠陥: {w}x{h} の画像で約 {fx:.0f} x {fy:.0f} px（特徴グリッドの 1 パッチ）</translation>
    </message>
</context>
<context>
    <name>HeatmapView</name>
    <message>
        <source>Heatmap</source>
        <translation>ヒートマップ</translation>
    </message>
    <message>
        <source>Show the anomaly map over the image (H)</source>
        <translation>異常マップを画像に重ねて表示（H）</translation>
    </message>
    <message>
        <source>Heatmap opacity</source>
        <translation>ヒートマップの不透明度</translation>
    </message>
    <message>
        <source>Colour map</source>
        <translation>カラーマップ</translation>
    </message>
    <message>
        <source>Outline above</source>
        <translation>輪郭表示 しきい値</translation>
    </message>
    <message>
        <source>Outline the region whose pixel score is above this value (follows the pass threshold until you change it)</source>
        <translation>画素スコアがこの値を超える領域の輪郭を表示します（変更するまでは良品しきい値に連動）</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>全体表示</translation>
    </message>
    <message>
        <source>Zoom to fit (the mouse wheel zooms, dragging pans)</source>
        <translation>全体を表示（マウスホイールで拡大縮小、ドラッグで移動）</translation>
    </message>
    <message>
        <source>Select a part to see its heatmap</source>
        <translation>ワークを選ぶとヒートマップが表示されます</translation>
    </message>
    <message>
        <source>{title}: cannot show the image ({error})</source>
        <translation>{title}: 画像を表示できません（{error}）</translation>
    </message>
    <message>
        <source>score {score:.4g} · {verdict}</source>
        <translation>スコア {score:.4g} · {verdict}</translation>
    </message>
    <message>
        <source>this model gives no heatmap (image-level score only)</source>
        <translation>このモデルはヒートマップを出力しません（画像単位のスコアのみ）</translation>
    </message>
    <message>
        <source>Colours: {low:.3g} (blue) to {high:.3g} (red), {low_factor:g}× to {high_factor:g}× the highest held-out good score; fixed for this model, thresholds do not change it</source>
        <translation>色: {low:.3g}（青）〜 {high:.3g}（赤）。検証用良品の最高スコアの {low_factor:g}〜{high_factor:g} 倍で、このモデルでは固定（しきい値を変えても変わりません）</translation>
    </message>
    <message>
        <source>Colours: this image&apos;s own range ({low:.3g} to {high:.3g}); train with held-out good images for a fixed scale</source>
        <translation>色: この画像自身の範囲（{low:.3g}〜{high:.3g}）。検証用良品を含めて学習すると固定スケールになります</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <source>&amp;Language</source>
        <translation>言語(&amp;L)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>システムの既定</translation>
    </message>
    <message>
        <source>Could not save the language: {error}</source>
        <translation>言語の設定を保存できませんでした: {error}</translation>
    </message>
    <message>
        <source>The language changes when Inspector starts again.</source>
        <translation>表示言語は Inspector の次回起動時に切り替わります。</translation>
    </message>
</context>
<context>
    <name>LineView</name>
    <message>
        <source>PASS</source>
        <translation>良品</translation>
    </message>
    <message>
        <source>CHECK</source>
        <translation>要確認</translation>
    </message>
    <message>
        <source>FAIL</source>
        <translation>不良品</translation>
    </message>
    <message>
        <source>NO THRESHOLDS</source>
        <translation>しきい値なし</translation>
    </message>
    <message>
        <source>UNREADABLE</source>
        <translation>読込不可</translation>
    </message>
    <message>
        <source>The folder the camera writes images to</source>
        <translation>カメラが画像を書き込むフォルダ</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>選択…</translation>
    </message>
    <message>
        <source>Move scored files into pass / uncertain / fail folders beside it</source>
        <translation>採点したファイルを隣の pass / uncertain / fail フォルダに移動する</translation>
    </message>
    <message>
        <source>Start watching</source>
        <translation>監視開始</translation>
    </message>
    <message>
        <source>Watch folder:</source>
        <translation>監視フォルダ:</translation>
    </message>
    <message>
        <source>Not watching.</source>
        <translation>監視していません。</translation>
    </message>
    <message>
        <source>The most recent failed parts, newest first</source>
        <translation>最近の不良品（新しい順）</translation>
    </message>
    <message>
        <source>Recent failures:</source>
        <translation>最近の不良品:</translation>
    </message>
    <message>
        <source>Folder to watch</source>
        <translation>監視するフォルダ</translation>
    </message>
    <message>
        <source>Train a model first: the watcher scores with the project&apos;s model.</source>
        <translation>先にモデルを学習してください。監視ではプロジェクトのモデルで採点します。</translation>
    </message>
    <message>
        <source>Choose an existing folder to watch.</source>
        <translation>監視する既存のフォルダを選んでください。</translation>
    </message>
    <message>
        <source>Cannot watch {folder}: {error}</source>
        <translation>{folder} を監視できません: {error}</translation>
    </message>
    <message>
        <source>Stop watching</source>
        <translation>監視停止</translation>
    </message>
    <message>
        <source>Watching {folder}: each new image is scored and recorded in this project.</source>
        <translation>{folder} を監視中: 新しい画像ごとに採点し、このプロジェクトに記録します。</translation>
    </message>
    <message>
        <source>The watcher stopped: {error}</source>
        <translation>監視が停止しました: {error}</translation>
    </message>
    <message>
        <source>Since start: {passed} pass · {check} check · {failed} fail</source>
        <translation>開始から
良品 {passed} · 要確認 {check} · 不良品 {failed}</translation>
    </message>
    <message>
        <source>{n} unreadable</source>
        <translation>読込不可 {n}</translation>
    </message>
    <message>
        <source>{name} · score {score:.4g} · {ms:.0f} ms</source>
        <translation>{name} · スコア {score:.4g} · {ms:.0f} ms</translation>
    </message>
    <message>
        <source>{name}: score {score:.4g}</source>
        <translation>{name}: スコア {score:.4g}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Images {patterns};;All files (*)</source>
        <translation>画像 {patterns};;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>&lt;b&gt;How to use Inspector&lt;/b&gt;&lt;ol&gt;
&lt;li&gt;Create a project for one product type (File ▸ New project).&lt;/li&gt;
&lt;li&gt;Drop a folder of images of &lt;i&gt;good&lt;/i&gt; parts on the Training set tab and press &lt;b&gt;Train&lt;/b&gt;.&lt;/li&gt;
&lt;li&gt;Drop folders of new parts on the Results tab: each gets a score and a heatmap.&lt;/li&gt;
&lt;li&gt;Drag the pass (green) and fail (red) lines in the score histogram, or press &lt;b&gt;Suggest&lt;/b&gt;.&lt;/li&gt;
&lt;li&gt;Work through the Review tab: &lt;b&gt;G&lt;/b&gt; good, &lt;b&gt;D&lt;/b&gt; defect, &lt;b&gt;S&lt;/b&gt; skip, &lt;b&gt;Z&lt;/b&gt; undo.&lt;/li&gt;
&lt;li&gt;Add confirmed-good parts to training and retrain; press Suggest again to use your decisions.&lt;/li&gt;&lt;/ol&gt;</source>
        <translation>&lt;b&gt;Inspector の使い方&lt;/b&gt;&lt;ol&gt;
&lt;li&gt;製品の種類ごとにプロジェクトを作成します（ファイル ▸ 新規プロジェクト）。&lt;/li&gt;
&lt;li&gt;&lt;i&gt;良品&lt;/i&gt;の画像フォルダを学習セットタブにドロップし、&lt;b&gt;学習&lt;/b&gt;を押します。&lt;/li&gt;
&lt;li&gt;新しいワークの画像フォルダを結果タブにドロップします。各ワークにスコアとヒートマップが付きます。&lt;/li&gt;
&lt;li&gt;スコアのヒストグラムで良品（緑）と不良品（赤）のラインをドラッグするか、&lt;b&gt;提案&lt;/b&gt;を押します。&lt;/li&gt;
&lt;li&gt;目視確認タブで順に確認します: &lt;b&gt;G&lt;/b&gt; 良品、&lt;b&gt;D&lt;/b&gt; 不良品、&lt;b&gt;S&lt;/b&gt; スキップ、&lt;b&gt;Z&lt;/b&gt; 元に戻す。&lt;/li&gt;
&lt;li&gt;良品と確認したワークを学習セットに加えて再学習し、もう一度「提案」を押すと確認結果が反映されます。&lt;/li&gt;&lt;/ol&gt;</translation>
    </message>
    <message>
        <source>1  Training set</source>
        <translation>1  学習セット</translation>
    </message>
    <message>
        <source>2  Results</source>
        <translation>2  検査結果</translation>
    </message>
    <message>
        <source>3  Review</source>
        <translation>3  目視確認</translation>
    </message>
    <message>
        <source>4  Line</source>
        <translation>4  ライン監視</translation>
    </message>
    <message>
        <source>Score histogram and thresholds</source>
        <translation>スコアのヒストグラムとしきい値</translation>
    </message>
    <message>
        <source>That is not a project folder. Open or create a project first, then drop images into it.</source>
        <translation>プロジェクトのフォルダではありません。先にプロジェクトを開くか作成してから、画像をドロップしてください。</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New project…</source>
        <translation>新規プロジェクト(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Open project folder…</source>
        <translation>プロジェクトフォルダを開く(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Close project</source>
        <translation>プロジェクトを閉じる(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Export decisions as CSV…</source>
        <translation>確認結果を CSV に書き出す(&amp;E)…</translation>
    </message>
    <message>
        <source>Batch &amp;report…</source>
        <translation>一括レポート(&amp;R)…</translation>
    </message>
    <message>
        <source>One printable HTML file (images embedded) and a CSV of the inspected parts</source>
        <translation>検査済みワークの印刷用 HTML ファイル（画像埋め込み）と CSV</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Project</source>
        <translation>プロジェクト(&amp;P)</translation>
    </message>
    <message>
        <source>Add &amp;good images…</source>
        <translation>良品画像を追加(&amp;G)…</translation>
    </message>
    <message>
        <source>Copy a folder of images of good parts into the training set</source>
        <translation>良品画像のフォルダを学習セットにコピーします</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>学習(&amp;T)</translation>
    </message>
    <message>
        <source>Train the model on the good images</source>
        <translation>良品画像でモデルを学習します</translation>
    </message>
    <message>
        <source>&amp;Inspect images…</source>
        <translation>画像を検査(&amp;I)…</translation>
    </message>
    <message>
        <source>Score a folder of parts</source>
        <translation>ワーク画像のフォルダを採点します</translation>
    </message>
    <message>
        <source>&amp;Cancel running job</source>
        <translation>実行中の処理をキャンセル(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Suggest thresholds</source>
        <translation>しきい値を提案(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Undo threshold change</source>
        <translation>しきい値の変更を元に戻す(&amp;U)</translation>
    </message>
    <message>
        <source>Put the pass/fail lines back where they were before the last drag, typed value or Suggest (review decisions have their own undo: Z in the Review tab)</source>
        <translation>良品・不良品ラインを、直前のドラッグ・数値入力・提案の前の位置に戻します（確認結果は目視確認タブの Z で元に戻せます）</translation>
    </message>
    <message>
        <source>Add confirmed-good parts and &amp;retrain</source>
        <translation>良品と確認したワークを追加して再学習(&amp;R)</translation>
    </message>
    <message>
        <source>Re&amp;name…</source>
        <translation>名前の変更(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>設定(&amp;S)…</translation>
    </message>
    <message>
        <source>Region to ins&amp;pect…</source>
        <translation>検査領域(&amp;P)…</translation>
    </message>
    <message>
        <source>Draw what to inspect and what to ignore on a good image</source>
        <translation>良品画像の上で検査する範囲と無視する範囲を描きます</translation>
    </message>
    <message>
        <source>E&amp;valuate on labelled parts…</source>
        <translation>ラベル付きのワークで評価(&amp;V)…</translation>
    </message>
    <message>
        <source>Compare the geometries on an MVTec-layout folder or the reviewed parts, and choose one</source>
        <translation>MVTec 形式のフォルダまたは目視確認済みのワークで画像の扱いを比べて選びます</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Training set</source>
        <translation>学習セット(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Results</source>
        <translation>検査結果(&amp;R)</translation>
    </message>
    <message>
        <source>Re&amp;view</source>
        <translation>目視確認(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Line</source>
        <translation>ライン監視(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Analysis…</source>
        <translation>分析(&amp;A)…</translation>
    </message>
    <message>
        <source>Feature maps, memory bank, PCA and ROC of the trained model</source>
        <translation>学習済みモデルの特徴マップ、メモリバンク、PCA、ROC</translation>
    </message>
    <message>
        <source>&amp;Start screen</source>
        <translation>スタート画面(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;How to use</source>
        <translation>使い方(&amp;H)</translation>
    </message>
    <message>
        <source>How to use Inspector</source>
        <translation>Inspector の使い方</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>Inspector について(&amp;A)</translation>
    </message>
    <message>
        <source>About Inspector</source>
        <translation>Inspector について</translation>
    </message>
    <message>
        <source>Inspector {version}&lt;br&gt;Unsupervised visual inspection (PatchCore).</source>
        <translation>Inspector {version}&lt;br&gt;教師なし外観検査（PatchCore）</translation>
    </message>
    <message>
        <source>{name} — Inspector</source>
        <translation>{name} — Inspector</translation>
    </message>
    <message numerus="yes">
        <source>%n project(s)</source>
        <translation>
            <numerusform>プロジェクト %n 件</numerusform>
        </translation>
    </message>
    <message>
        <source>not trained</source>
        <translation>未学習</translation>
    </message>
    <message>
        <source>out of date</source>
        <translation>要再学習</translation>
    </message>
    <message>
        <source>trained</source>
        <translation>学習済み</translation>
    </message>
    <message numerus="yes">
        <source>%n good image(s)</source>
        <translation>
            <numerusform>良品画像 %n 枚</numerusform>
        </translation>
    </message>
    <message>
        <source>model {state}</source>
        <translation>モデル {state}</translation>
    </message>
    <message>
        <source>{n} inspected</source>
        <translation>検査済み {n}</translation>
    </message>
    <message>
        <source>{n} to review</source>
        <translation>要確認 {n}</translation>
    </message>
    <message>
        <source>Could not create the project: {error}</source>
        <translation>プロジェクトを作成できませんでした: {error}</translation>
    </message>
    <message>
        <source>Project “{name}” created. Now add images of good parts.</source>
        <translation>プロジェクト「{name}」を作成しました。次に良品の画像を追加してください。</translation>
    </message>
    <message>
        <source>Could not open {folder}: {error}</source>
        <translation>{folder} を開けませんでした: {error}</translation>
    </message>
    <message>
        <source>Opened read-only because it is damaged: {problems}</source>
        <translation>破損しているため読み取り専用で開きました: {problems}</translation>
    </message>
    <message>
        <source>Restored: {what}.</source>
        <translation>復元しました: {what}。</translation>
    </message>
    <message>
        <source>Opened read-only: {reason}.</source>
        <translation>読み取り専用で開きました: {reason}。</translation>
    </message>
    <message>
        <source>Parts of this project were ignored: {problem}</source>
        <translation>このプロジェクトの一部を読み込めませんでした: {problem}</translation>
    </message>
    <message numerus="yes">
        <source> (and %n more)</source>
        <translation>
            <numerusform>（ほか %n 件）</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not restore {folder}: {error}</source>
        <translation>{folder} を復元できませんでした: {error}</translation>
    </message>
    <message>
        <source>Cancel the running job?</source>
        <translation>実行中の処理をキャンセルしますか？</translation>
    </message>
    <message>
        <source>“{job}” is still running. Leaving the project cancels it.

Cancel it and leave?</source>
        <translation>「{job}」を実行中です。プロジェクトを離れるとキャンセルされます。

キャンセルして離れますか？</translation>
    </message>
    <message>
        <source>Cancelling the running job…</source>
        <translation>実行中の処理をキャンセルしています…</translation>
    </message>
    <message>
        <source>Could not rename the project: {error}</source>
        <translation>プロジェクトの名前を変更できませんでした: {error}</translation>
    </message>
    <message>
        <source>Could not delete the project: {error}</source>
        <translation>プロジェクトを削除できませんでした: {error}</translation>
    </message>
    <message>
        <source>Deleted the project in {folder}.</source>
        <translation>{folder} のプロジェクトを削除しました。</translation>
    </message>
    <message>
        <source>Open a project folder</source>
        <translation>プロジェクトフォルダを開く</translation>
    </message>
    <message>
        <source>Rename project</source>
        <translation>プロジェクト名の変更</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新しい名前:</translation>
    </message>
    <message>
        <source>Delete project</source>
        <translation>プロジェクトの削除</translation>
    </message>
    <message>
        <source>Delete the project folder
{folder}
with its images, model, results and review decisions?
This cannot be undone.</source>
        <translation>プロジェクトフォルダ
{folder}
を、画像・モデル・検査結果・確認結果ごと削除しますか？
この操作は元に戻せません。</translation>
    </message>
    <message>
        <source>Could not save the settings: {error}</source>
        <translation>設定を保存できませんでした: {error}</translation>
    </message>
    <message>
        <source>Add good images first: the region is drawn on one of them.</source>
        <translation>先に良品画像を追加してください。検査領域はその画像の上で描きます。</translation>
    </message>
    <message>
        <source>Could not save the region: {error}</source>
        <translation>検査領域を保存できませんでした: {error}</translation>
    </message>
    <message>
        <source>the whole image</source>
        <translation>画像全体</translation>
    </message>
    <message>
        <source>{share} of the image</source>
        <translation>画像の {share}</translation>
    </message>
    <message>
        <source> Train again to use it.</source>
        <translation>反映するには再学習してください。</translation>
    </message>
    <message>
        <source>Region saved: {what} is inspected.</source>
        <translation>検査領域を保存しました: {what}を検査します。</translation>
    </message>
    <message>
        <source>Add images of good parts</source>
        <translation>良品の画像を追加</translation>
    </message>
    <message>
        <source>Inspect images</source>
        <translation>画像を検査</translation>
    </message>
    <message>
        <source>Export decisions</source>
        <translation>確認結果の書き出し</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Batch report</source>
        <translation>一括レポート</translation>
    </message>
    <message>
        <source>HTML (*.html)</source>
        <translation>HTML (*.html)</translation>
    </message>
    <message>
        <source>Could not write {path}: {error}</source>
        <translation>{path} に書き込めませんでした: {error}</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n part(s) with their scores and decisions to {path}.</source>
        <translation>
            <numerusform>%n 件のワークのスコアと確認結果を {path} に書き出しました。</numerusform>
        </translation>
    </message>
    <message>
        <source>Thresholds back to none.</source>
        <translation>しきい値を未設定に戻しました。</translation>
    </message>
    <message>
        <source>Thresholds back to pass &lt; {pass_:.4g}, fail ≥ {fail:.4g}.</source>
        <translation>しきい値を 良品 &lt; {pass_:.4g}、不良品 ≥ {fail:.4g} に戻しました。</translation>
    </message>
    <message>
        <source>Could not save the window layout: {error}</source>
        <translation>ウィンドウのレイアウトを保存できませんでした: {error}</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <source>Details…</source>
        <translation>詳細…</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>詳細</translation>
    </message>
</context>
<context>
    <name>NewProjectDialog</name>
    <message>
        <source>New project</source>
        <translation>新規プロジェクト</translation>
    </message>
    <message>
        <source>e.g. Bottle caps, line 3</source>
        <translation>例: ボトルキャップ 3号ライン</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>選択…</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>フォルダ</translation>
    </message>
    <message>
        <source>Model (can be changed later in Project ▸ Settings)</source>
        <translation>モデル（後で プロジェクト ▸ 設定 で変更できます）</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>作成</translation>
    </message>
    <message>
        <source>One project per product type. Its images, model and results are kept in its folder.</source>
        <translation>製品の種類ごとに 1 つのプロジェクトを作ります。画像・モデル・検査結果はそのフォルダに保存されます。</translation>
    </message>
    <message>
        <source>Folder for the project (empty or new)</source>
        <translation>プロジェクトのフォルダ（空または新規）</translation>
    </message>
</context>
<context>
    <name>ProgressPanel</name>
    <message>
        <source>images</source>
        <translation>枚</translation>
    </message>
    <message>
        <source>points</source>
        <translation>点</translation>
    </message>
    <message>
        <source>steps</source>
        <translation>ステップ</translation>
    </message>
    <message>
        <source>Preparing the network (first use only)</source>
        <translation>ネットワークを準備中（初回のみ）</translation>
    </message>
    <message>
        <source>Copying images in</source>
        <translation>画像のコピー</translation>
    </message>
    <message>
        <source>Extracting features</source>
        <translation>特徴抽出</translation>
    </message>
    <message>
        <source>Building the coreset</source>
        <translation>コアセット構築</translation>
    </message>
    <message>
        <source>Scoring held-out good images</source>
        <translation>検証用良品の採点</translation>
    </message>
    <message>
        <source>Re-scoring inspected parts</source>
        <translation>検査済みワークの再採点</translation>
    </message>
    <message>
        <source>Scoring parts</source>
        <translation>ワークの採点</translation>
    </message>
    <message>
        <source>Fitting</source>
        <translation>フィッティング</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>開始しています…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>キャンセル中…</translation>
    </message>
    <message>
        <source>{stage}: {done:,} / {total:,} {unit}</source>
        <translation>{stage}: {done:,} / {total:,} {unit}</translation>
    </message>
    <message>
        <source>elapsed {time}</source>
        <translation>経過 {time}</translation>
    </message>
    <message>
        <source>about {time} left in this step</source>
        <translation>このステップの残り 約 {time}</translation>
    </message>
    <message>
        <source>about {time} left in all</source>
        <translation>全体の残り 約 {time}</translation>
    </message>
    <message>
        <source>at least {time} left in all</source>
        <translation>全体の残り 少なくとも {time}</translation>
    </message>
</context>
<context>
    <name>ProjectJob</name>
    <message>
        <source>Adding good images</source>
        <translation>良品画像の追加</translation>
    </message>
    <message>
        <source>The images copied before the cancel were kept.</source>
        <translation>キャンセル前にコピーした画像は残しました。</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>The previous model is unchanged.</source>
        <translation>以前のモデルはそのままです。</translation>
    </message>
    <message>
        <source>Inspecting</source>
        <translation>検査</translation>
    </message>
    <message>
        <source>The parts scored before the cancel were kept.</source>
        <translation>キャンセル前に採点したワークは残しました。</translation>
    </message>
    <message>
        <source>Writing the report</source>
        <translation>レポートの作成</translation>
    </message>
    <message>
        <source>No report was written.</source>
        <translation>レポートは作成されませんでした。</translation>
    </message>
</context>
<context>
    <name>ProjectJobs</name>
    <message>
        <source>{job} is still running: wait for it or cancel it.</source>
        <translation>「{job}」を実行中です。終わるまで待つか、キャンセルしてください。</translation>
    </message>
    <message>
        <source>duplicate: already in the training set as {name}</source>
        <translation>重複: 学習セットに {name} として登録済み</translation>
    </message>
    <message numerus="yes">
        <source>Added %n good image(s) to the training set.</source>
        <translation>
            <numerusform>良品画像 %n 枚を学習セットに追加しました。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) were not added (unreadable or duplicates).</source>
        <translation>
            <numerusform>%n 件のファイルは追加されませんでした（読み込み不可または重複）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Show list</source>
        <translation>一覧を表示</translation>
    </message>
    <message>
        <source>Press Train when the set is complete.</source>
        <translation>画像がそろったら「学習」を押してください。</translation>
    </message>
    <message>
        <source>There are no good images to train on: add a folder of images of good parts first.</source>
        <translation>学習する良品画像がありません。先に良品の画像フォルダを追加してください。</translation>
    </message>
    <message numerus="yes">
        <source>Trained on %n image(s) in {seconds:.0f} s; {holdout} held-out good image(s) scored</source>
        <translation>
            <numerusform>%n 枚の画像で学習しました（{seconds:.0f} 秒）。検証用良品 {holdout} 枚を採点しました</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n inspected part(s) re-scored</source>
        <translation>
            <numerusform>。検査済みワーク %n 件を再採点しました</numerusform>
        </translation>
    </message>
    <message>
        <source>.</source>
        <translation>。</translation>
    </message>
    <message>
        <source>Thresholds were set from the held-out scores: check them in the histogram.</source>
        <translation>検証用良品のスコアからしきい値を設定しました。ヒストグラムで確認してください。</translation>
    </message>
    <message>
        <source>Scores come from the new model now: check the threshold lines (Suggest).</source>
        <translation>スコアは新しいモデルによるものになりました。しきい値ラインを確認してください（提案）。</translation>
    </message>
    <message>
        <source>Add at least 5 good images to get held-out scores for suggesting thresholds.</source>
        <translation>しきい値の提案に使う検証用スコアを得るには、良品画像を 5 枚以上追加してください。</translation>
    </message>
    <message numerus="yes">
        <source>%n unreadable image(s) skipped.</source>
        <translation>
            <numerusform>読み込めない画像 %n 枚をスキップしました。</numerusform>
        </translation>
    </message>
    <message>
        <source>Images skipped</source>
        <translation>スキップした画像</translation>
    </message>
    <message>
        <source>Now inspect parts in the Results tab.</source>
        <translation>次に検査結果タブでワークを検査してください。</translation>
    </message>
    <message>
        <source>Show the histogram</source>
        <translation>ヒストグラムを表示</translation>
    </message>
    <message>
        <source>There is no trained model yet: add good images and press Train, then inspect parts.</source>
        <translation>学習済みのモデルがまだありません。良品画像を追加して「学習」を押してから検査してください。</translation>
    </message>
    <message numerus="yes">
        <source>Report of %n part(s) written to {target}</source>
        <translation>
            <numerusform>%n 件のワークのレポートを {target} に書き出しました</numerusform>
        </translation>
    </message>
    <message>
        <source>and {csv}</source>
        <translation>（CSV: {csv}）</translation>
    </message>
    <message numerus="yes">
        <source>Scored %n part(s). All parts: {passed} pass, {uncertain} uncertain, {failed} fail.</source>
        <translation>
            <numerusform>%n 件のワークを採点しました。全ワーク: 良品 {passed}、判定保留 {uncertain}、不良品 {failed}。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be read.</source>
        <translation>
            <numerusform>%n 件のファイルを読み込めませんでした。</numerusform>
        </translation>
    </message>
    <message>
        <source>the same image (same bytes) was inspected before as {name}: scored again, listed under {name}</source>
        <translation>同じ画像（同一バイト）が {name} として検査済み: 再採点し、{name} として表示</translation>
    </message>
    <message numerus="yes">
        <source>%n part(s) had been inspected before under another file: they are listed under their first name.</source>
        <translation>
            <numerusform>%n 件のワークは別のファイル名で検査済みでした。最初の名前で表示しています。</numerusform>
        </translation>
    </message>
    <message>
        <source>Files not inspected, or inspected before</source>
        <translation>検査されなかったファイル、または検査済みのファイル</translation>
    </message>
    <message numerus="yes">
        <source>Added %n confirmed-good part(s) to the training set; retraining.</source>
        <translation>
            <numerusform>良品と確認したワーク %n 件を学習セットに追加しました。再学習します。</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot suggest thresholds: {error}</source>
        <translation>しきい値を提案できません: {error}</translation>
    </message>
    <message>
        <source>Verdicts now: {passed} pass · {uncertain} uncertain · {failed} fail</source>
        <translation>現在の判定: 良品 {passed} · 判定保留 {uncertain} · 不良品 {failed}</translation>
    </message>
    <message>
        <source>(were {passed} · {uncertain} · {failed}).</source>
        <translation>（変更前 {passed} · {uncertain} · {failed}）。</translation>
    </message>
    <message>
        <source>Suggested thresholds: pass &lt; {pass_:.4g}, fail ≥ {fail:.4g}.</source>
        <translation>提案したしきい値: 良品 &lt; {pass_:.4g}、不良品 ≥ {fail:.4g}。</translation>
    </message>
    <message>
        <source>Undo (Ctrl+Z)</source>
        <translation>元に戻す (Ctrl+Z)</translation>
    </message>
    <message>
        <source>Suggestion undone: thresholds back to none.</source>
        <translation>提案を取り消しました。しきい値は未設定に戻りました。</translation>
    </message>
    <message>
        <source>Suggestion undone: thresholds back to pass &lt; {pass_:.4g}, fail ≥ {fail:.4g}.</source>
        <translation>提案を取り消しました。しきい値は 良品 &lt; {pass_:.4g}、不良品 ≥ {fail:.4g} に戻りました。</translation>
    </message>
    <message>
        <source>press Import… in Project ▸ Settings (or choose a weights file there)</source>
        <translation>プロジェクト ▸ 設定 で「インポート…」を押してください（または重みファイルを選んでください）</translation>
    </message>
    <message>
        <source>or choose a weights file</source>
        <translation>または重みファイルを選んでください</translation>
    </message>
    <message>
        <source>{job} failed: {error}</source>
        <translation>{job}に失敗しました: {error}</translation>
    </message>
    <message>
        <source>Project settings…</source>
        <translation>プロジェクトの設定…</translation>
    </message>
    <message>
        <source>No model was trained.</source>
        <translation>モデルは学習されませんでした。</translation>
    </message>
    <message>
        <source>{job} cancelled.</source>
        <translation>{job}をキャンセルしました。</translation>
    </message>
</context>
<context>
    <name>ProjectSettingsForm</name>
    <message>
        <source>Gaussian (image level, no heatmap)</source>
        <translation>Gaussian（画像単位、ヒートマップなし）</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>Backbone, layers</source>
        <translation>バックボーン・層</translation>
    </message>
    <message>
        <source>Pretrained (downloaded once, then cached)</source>
        <translation>事前学習済み（初回にダウンロードしてキャッシュ）</translation>
    </message>
    <message>
        <source>Weights file on this PC</source>
        <translation>この PC の重みファイル</translation>
    </message>
    <message>
        <source>.safetensors or .pth file (for PCs without internet)</source>
        <translation>.safetensors または .pth ファイル（インターネットのない PC 用）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>重み</translation>
    </message>
    <message>
        <source> px (shorter side)</source>
        <translation> px（短辺）</translation>
    </message>
    <message>
        <source> px (centre crop)</source>
        <translation> px（中央切り出し）</translation>
    </message>
    <message>
        <source>Resize to</source>
        <translation>リサイズ</translation>
    </message>
    <message>
        <source>Inspect</source>
        <translation>検査サイズ</translation>
    </message>
    <message>
        <source>Geometry</source>
        <translation>画像の扱い</translation>
    </message>
    <message>
        <source>Tile overlap</source>
        <translation>タイルの重なり</translation>
    </message>
    <message>
        <source> % of patches</source>
        <translation> %（パッチに対する割合）</translation>
    </message>
    <message>
        <source>Memory bank (coreset) size: 10 % is the default, 1 % trains and inspects faster</source>
        <translation>メモリバンク（コアセット）のサイズ: 既定は 10 %。1 % にすると学習と検査が速くなります</translation>
    </message>
    <message>
        <source>Coreset</source>
        <translation>コアセット</translation>
    </message>
    <message>
        <source> % of good images</source>
        <translation> %（良品画像に対する割合）</translation>
    </message>
    <message>
        <source>Held out of training and scored after it, to show what good scores look like (at least one image once there are five)</source>
        <translation>学習に使わず学習後に採点し、良品のスコアの目安にします（5 枚以上あれば少なくとも 1 枚）</translation>
    </message>
    <message>
        <source>Held out</source>
        <translation>検証用</translation>
    </message>
    <message>
        <source>Where the network runs: auto takes the GPU when there is one (cuda), else the CPU</source>
        <translation>ネットワークを実行する場所: auto は GPU（cuda）があれば GPU、なければ CPU を使います</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>詳細設定</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>デバイス</translation>
    </message>
    <message>
        <source>Pretrained: the hub&apos;s weights, or a file imported for this backbone (Import… above); a weights file: used as it is</source>
        <translation>事前学習済み: ハブの重み、またはこのバックボーン用にインポートしたファイル（上の「インポート…」）。重みファイル: そのまま使用</translation>
    </message>
    <message>
        <source>Backbone weights file</source>
        <translation>バックボーンの重みファイル</translation>
    </message>
    <message>
        <source>Weights (*.safetensors *.pth *.pt *.bin);;All files (*)</source>
        <translation>重み (*.safetensors *.pth *.pt *.bin);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>Checking which backbone {file} fits…</source>
        <translation>{file} に合うバックボーンを確認しています…</translation>
    </message>
    <message>
        <source>This file fits none of the backbones Inspector knows.</source>
        <translation>このファイルは Inspector が扱えるどのバックボーンにも合いません。</translation>
    </message>
    <message>
        <source>This file fits {backbone}.</source>
        <translation>このファイルは {backbone} に合います。</translation>
    </message>
    <message>
        <source>This file holds {best} weights, not {backbone}.</source>
        <translation>このファイルは {backbone} ではなく {best} の重みです。</translation>
    </message>
    <message>
        <source>It also fits {others}.</source>
        <translation>{others} にも合います。</translation>
    </message>
    <message>
        <source>Use {backbone}</source>
        <translation>{backbone} を使う</translation>
    </message>
    <message>
        <source>Reading the backbone {backbone}…</source>
        <translation>バックボーン {backbone} を読み込んでいます…</translation>
    </message>
    <message>
        <source>Backbone: {error}</source>
        <translation>バックボーン: {error}</translation>
    </message>
    <message>
        <source>Choose the weights file, or use Pretrained.</source>
        <translation>重みファイルを選ぶか、「事前学習済み」を使ってください。</translation>
    </message>
    <message>
        <source>The weights file {path} does not exist.</source>
        <translation>重みファイル {path} がありません。</translation>
    </message>
    <message>
        <source>{file} fits none of the backbones Inspector knows.</source>
        <translation>{file} は Inspector が扱えるどのバックボーンにも合いません。</translation>
    </message>
    <message>
        <source>{file} holds {best} weights, not {backbone}: press &quot;Use {best}&quot;.</source>
        <translation>{file} は {backbone} ではなく {best} の重みです。「{best} を使う」を押してください。</translation>
    </message>
    <message>
        <source>Checking the weights of {backbone}…</source>
        <translation>{backbone} の重みを確認しています…</translation>
    </message>
    <message>
        <source>The pretrained weights of {backbone} are not on this PC and the model hub cannot be reached: press Import… to add a weights file for it, or choose &quot;{file_choice}&quot;.</source>
        <translation>{backbone} の事前学習済みの重みがこの PC になく、モデルハブにも接続できません。「インポート…」で重みファイルを追加するか、「{file_choice}」を選んでください。</translation>
    </message>
    <message>
        <source>timm publishes no pretrained weights for {backbone}: press Import… or choose a weights file.</source>
        <translation>timm は {backbone} の事前学習済みの重みを公開していません。「インポート…」を押すか、重みファイルを選んでください。</translation>
    </message>
    <message>
        <source> px (square)</source>
        <translation> px（正方形）</translation>
    </message>
    <message>
        <source> px (tile side)</source>
        <translation> px（タイルの辺）</translation>
    </message>
</context>
<context>
    <name>RegionEditor</name>
    <message>
        <source>Rectangle</source>
        <translation>矩形</translation>
    </message>
    <message>
        <source>Polygon</source>
        <translation>多角形</translation>
    </message>
    <message>
        <source>Ignore brush</source>
        <translation>除外ブラシ</translation>
    </message>
    <message>
        <source>Ignore polygon</source>
        <translation>除外多角形</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>消しゴム</translation>
    </message>
    <message>
        <source>Region to inspect</source>
        <translation>検査領域</translation>
    </message>
    <message>
        <source>Press and drag: the region to inspect</source>
        <translation>押してドラッグ: 検査する領域</translation>
    </message>
    <message>
        <source>Click the corners, double-click or Enter to close, Esc to cancel: the region to inspect</source>
        <translation>角をクリックし、ダブルクリックまたは Enter で閉じ、Esc で取り消し: 検査する領域</translation>
    </message>
    <message>
        <source>Click the corners, double-click or Enter to close, Esc to cancel: an area to ignore</source>
        <translation>角をクリックし、ダブルクリックまたは Enter で閉じ、Esc で取り消し: 除外する領域</translation>
    </message>
    <message>
        <source>The whole image is inspected. Draw a rectangle or polygon to limit it; brush over, or draw a polygon around, what must be ignored.</source>
        <translation>画像全体を検査します。矩形か多角形で範囲を絞り、除外する部分はブラシで塗るか多角形で囲んでください。</translation>
    </message>
    <message>
        <source>Paint over what must be ignored (fixtures, clamps, labels)</source>
        <translation>無視する部分（治具、クランプ、ラベルなど）を塗ります</translation>
    </message>
    <message>
        <source>Paint to take ignored areas back</source>
        <translation>塗って除外した部分を元に戻します</translation>
    </message>
    <message>
        <source>Whole image</source>
        <translation>画像全体</translation>
    </message>
    <message>
        <source>Inspect the whole image: no region, nothing ignored</source>
        <translation>画像全体を検査します（領域指定なし、除外なし）</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>ブラシ</translation>
    </message>
    <message>
        <source>{share} of the image is inspected (red: not inspected). OK saves the region; the model must then be retrained.</source>
        <translation>画像の {share} を検査します（赤: 検査しない部分）。OK で保存します。その後モデルの再学習が必要です。</translation>
    </message>
    <message>
        <source>Reference good image: {name}. Red is not inspected.</source>
        <translation>基準の良品画像: {name}。赤い部分は検査しません。</translation>
    </message>
</context>
<context>
    <name>ResultsModel</name>
    <message>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>スコア</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>確認</translation>
    </message>
    <message>
        <source>Inspected</source>
        <translation>検査日時</translation>
    </message>
    <message>
        <source>✓ good</source>
        <translation>✓ 良品</translation>
    </message>
    <message>
        <source>✗ defect</source>
        <translation>✗ 不良品</translation>
    </message>
    <message>
        <source>All parts</source>
        <translation>すべてのワーク</translation>
    </message>
    <message>
        <source>Fail</source>
        <translation>不良品</translation>
    </message>
    <message>
        <source>Uncertain</source>
        <translation>判定保留</translation>
    </message>
    <message>
        <source>Pass</source>
        <translation>良品</translation>
    </message>
    <message>
        <source>Not reviewed</source>
        <translation>未確認</translation>
    </message>
    <message>
        <source>Reviewed good</source>
        <translation>確認済み: 良品</translation>
    </message>
    <message>
        <source>Reviewed defect</source>
        <translation>確認済み: 不良品</translation>
    </message>
    <message>
        <source>Model and reviewer disagree</source>
        <translation>モデルと確認結果が不一致</translation>
    </message>
</context>
<context>
    <name>ResultsPage</name>
    <message>
        <source>No parts inspected yet</source>
        <translation>検査したワークはまだありません</translation>
    </message>
    <message>
        <source>Inspect a folder…</source>
        <translation>フォルダを検査…</translation>
    </message>
    <message>
        <source>Inspect images</source>
        <translation>画像を検査</translation>
    </message>
    <message>
        <source>Inspect files…</source>
        <translation>ファイルを検査…</translation>
    </message>
    <message>
        <source>Filter by file name</source>
        <translation>ファイル名で絞り込み</translation>
    </message>
    <message>
        <source>Remove part…</source>
        <translation>ワークを削除…</translation>
    </message>
    <message>
        <source>Remove the selected part from the project for good: its score, heatmap, review history and copied image (Delete)</source>
        <translation>選択したワークをプロジェクトから完全に削除します: スコア、ヒートマップ、確認履歴、コピーした画像（Delete）</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>表示</translation>
    </message>
    <message>
        <source>No part matches the filter.</source>
        <translation>条件に合うワークはありません。</translation>
    </message>
    <message numerus="yes">
        <source>{shown} of %n part(s)</source>
        <translation>
            <numerusform>{shown} / %n 件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n part(s)</source>
        <translation>
            <numerusform>%n 件</numerusform>
        </translation>
    </message>
    <message>
        <source>Inspecting…</source>
        <translation>検査中…</translation>
    </message>
    <message>
        <source>The parts appear here when they are scored; the progress is shown above.</source>
        <translation>採点されたワークがここに表示されます。進行状況は上に表示されます。</translation>
    </message>
    <message>
        <source>No model yet</source>
        <translation>モデルがまだありません</translation>
    </message>
    <message>
        <source>Train a model first: add good images in the Training set tab and press Train. Then drop folders of parts here to inspect them.</source>
        <translation>先にモデルを学習してください。学習セットタブで良品画像を追加して「学習」を押し、その後ワークの画像フォルダをここにドロップして検査します。</translation>
    </message>
    <message>
        <source>Drop a folder or files of parts here, or click “Inspect images”. Each part gets a score and a heatmap.</source>
        <translation>ワークの画像フォルダやファイルをここにドロップするか、「画像を検査」をクリックしてください。各ワークにスコアとヒートマップが付きます。</translation>
    </message>
    <message>
        <source>Remove part</source>
        <translation>ワークの削除</translation>
    </message>
    <message>
        <source>Remove “{name}” from the project for good?

Its score, heatmap and review history are deleted; the file you inspected stays where it was.</source>
        <translation>「{name}」をプロジェクトから完全に削除しますか？

スコア、ヒートマップ、確認履歴が削除されます。検査した元のファイルはそのまま残ります。</translation>
    </message>
</context>
<context>
    <name>ReviewQueue</name>
    <message>
        <source>✓ good</source>
        <translation>✓ 良品</translation>
    </message>
    <message>
        <source>✗ defect</source>
        <translation>✗ 不良品</translation>
    </message>
    <message>
        <source>not reviewed</source>
        <translation>未確認</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>良品</translation>
    </message>
    <message>
        <source>Defect</source>
        <translation>不良品</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>スキップ</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>元に戻す</translation>
    </message>
    <message>
        <source>◀ Previous</source>
        <translation>◀ 前へ</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>次へ ▶</translation>
    </message>
    <message>
        <source>Also passed parts (after the flagged ones)</source>
        <translation>良品判定のワークも確認（要確認のワークの後）</translation>
    </message>
    <message>
        <source>Spot-check parts the model passed, once the failed and uncertain ones are done</source>
        <translation>不良品・判定保留のワークを確認し終えたら、モデルが良品としたワークを抜き取り確認します</translation>
    </message>
    <message>
        <source>Export decisions as CSV…</source>
        <translation>確認結果を CSV に書き出す…</translation>
    </message>
    <message>
        <source>Keys: G good · D defect · S skip · Z undo · N next unreviewed · ← → move · H heatmap.
Your decision is kept beside the model&apos;s verdict; it never replaces it.</source>
        <translation>キー: G 良品 · D 不良品 · S スキップ · Z 元に戻す · N 次の未確認 · ← → 移動 · H ヒートマップ
あなたの確認結果はモデルの判定と並べて記録され、判定を上書きしません。</translation>
    </message>
    <message>
        <source>Nothing to review</source>
        <translation>確認するワークはありません</translation>
    </message>
    <message numerus="yes">
        <source>Retrain with %n confirmed-good part(s)</source>
        <translation>
            <numerusform>良品と確認した %n 件で再学習</numerusform>
        </translation>
    </message>
    <message>
        <source>Add the parts you confirmed good to the training set and train again</source>
        <translation>良品と確認したワークを学習セットに追加して再学習します</translation>
    </message>
    <message>
        <source>Nothing to review yet</source>
        <translation>確認するワークはまだありません</translation>
    </message>
    <message>
        <source>Inspect parts in the Results tab first. Failed and uncertain parts are queued here, highest score first.</source>
        <translation>先に検査結果タブでワークを検査してください。不良品・判定保留のワークがスコアの高い順にここに並びます。</translation>
    </message>
    <message>
        <source>No part is failed or uncertain at the current thresholds. Move the threshold lines in the score histogram to send more parts here.</source>
        <translation>現在のしきい値では不良品・判定保留のワークはありません。スコアのヒストグラムでしきい値ラインを動かすと、ここに送るワークが増えます。</translation>
    </message>
    <message>
        <source>{done} of {n} reviewed</source>
        <translation>{n} 件中 {done} 件を確認済み</translation>
    </message>
    <message>
        <source>Part {i} of {n}: &lt;b&gt;{name}&lt;/b&gt;</source>
        <translation>ワーク {i} / {n}: &lt;b&gt;{name}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Model: {verdict}, score {score:.4g}</source>
        <translation>モデルの判定: {verdict}、スコア {score:.4g}</translation>
    </message>
    <message>
        <source>Your decision: {decision}</source>
        <translation>あなたの確認結果: {decision}</translation>
    </message>
</context>
<context>
    <name>ScoreHistogram</name>
    <message>
        <source>anomaly score</source>
        <translation>異常スコア</translation>
    </message>
    <message>
        <source>parts</source>
        <translation>ワーク数</translation>
    </message>
    <message>
        <source>held-out good</source>
        <translation>検証用良品</translation>
    </message>
    <message>
        <source>inspected</source>
        <translation>検査済み</translation>
    </message>
    <message>
        <source>reviewed defect</source>
        <translation>確認済み不良品</translation>
    </message>
    <message>
        <source>reviewed good</source>
        <translation>確認済み良品</translation>
    </message>
    <message>
        <source>pass &lt; {value:.3f}</source>
        <translation>良品 &lt; {value:.3f}</translation>
    </message>
    <message>
        <source>fail ≥ {value:.3f}</source>
        <translation>不良品 ≥ {value:.3f}</translation>
    </message>
    <message>
        <source>Pass line at this percentile of the held-out good scores (100 % = their maximum)</source>
        <translation>良品ラインを検証用良品スコアのこのパーセンタイルに置きます（100 % = 最大値）</translation>
    </message>
    <message>
        <source>Suggest</source>
        <translation>提案</translation>
    </message>
    <message>
        <source>Set both lines from the data: pass from the held-out good scores, fail from the parts reviewed as defects</source>
        <translation>データから両方のラインを設定します: 良品ラインは検証用良品のスコアから、不良品ラインは不良品と確認したワークから</translation>
    </message>
    <message>
        <source>good percentile</source>
        <translation>良品パーセンタイル</translation>
    </message>
    <message>
        <source>Pass line: parts scoring below this pass (type a value, Enter)</source>
        <translation>良品ライン: これ未満のスコアのワークが良品（値を入力して Enter）</translation>
    </message>
    <message>
        <source>Fail line: parts scoring at or above this fail (type, Enter)</source>
        <translation>不良品ライン: これ以上のスコアのワークが不良品（入力して Enter）</translation>
    </message>
    <message>
        <source>pass &lt;</source>
        <translation>良品 &lt;</translation>
    </message>
    <message>
        <source>fail ≥</source>
        <translation>不良品 ≥</translation>
    </message>
    <message>
        <source>Each series in %</source>
        <translation>系列ごとに %</translation>
    </message>
    <message>
        <source>Show each series as a share of its own parts, so a few held-out good images stay visible beside many inspected parts</source>
        <translation>各系列をその系列内の割合で表示します。検査済みワークが多くても、少数の検証用良品が見えるようになります</translation>
    </message>
    <message>
        <source>% of each series</source>
        <translation>系列内の割合 (%)</translation>
    </message>
    <message>
        <source>No scores yet. Train (the held-out good images are scored), then inspect parts.</source>
        <translation>まだスコアがありません。学習すると検証用良品が採点されます。その後ワークを検査してください。</translation>
    </message>
    <message>
        <source>No thresholds yet: press Suggest to place the lines from the data, then drag them.</source>
        <translation>しきい値が未設定です。「提案」を押すとデータからラインが置かれます。その後ドラッグで調整してください。</translation>
    </message>
    <message>
        <source>Drag the lines: left of green = pass, right of red = fail, between = uncertain (sent to review). Verdicts update when you let go.</source>
        <translation>ラインをドラッグ: 緑より左 = 良品、赤より右 = 不良品、その間 = 判定保留（目視確認へ）。放すと判定が更新されます。</translation>
    </message>
    <message>
        <source>{inspected} inspected · {good} held-out good</source>
        <translation>検査済み {inspected} · 検証用良品 {good}</translation>
    </message>
    <message>
        <source>{n} pass</source>
        <translation>良品 {n}</translation>
    </message>
    <message>
        <source>{n} uncertain</source>
        <translation>判定保留 {n}</translation>
    </message>
    <message>
        <source>{n} fail</source>
        <translation>不良品 {n}</translation>
    </message>
    <message>
        <source>held-out good: {passed} of {total} pass</source>
        <translation>検証用良品: {total} 件中 {passed} 件が良品</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Project settings</source>
        <translation>プロジェクトの設定</translation>
    </message>
    <message>
        <source>Changing model settings makes the current model out of date: press Train again.</source>
        <translation>モデルの設定を変えると現在のモデルは古くなります。もう一度「学習」を押してください。</translation>
    </message>
</context>
<context>
    <name>SimpleBackboneChooser</name>
    <message>
        <source>layer names, e.g. layer2 layer3</source>
        <translation>層の名前（例: layer2 layer3）</translation>
    </message>
</context>
<context>
    <name>SkippedDialog</name>
    <message>
        <source>Files not added</source>
        <translation>追加されなかったファイル</translation>
    </message>
    <message>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) were not added. Nothing else was affected.</source>
        <translation>
            <numerusform>%n 件のファイルは追加されませんでした。ほかには影響ありません。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StartScreen</name>
    <message>
        <source>opened today {time}</source>
        <translation>今日 {time} に開きました</translation>
    </message>
    <message>
        <source>opened {date}</source>
        <translation>{date} に開きました</translation>
    </message>
    <message numerus="yes">
        <source>%n good image(s)</source>
        <translation>
            <numerusform>良品画像 %n 枚</numerusform>
        </translation>
    </message>
    <message>
        <source>trained</source>
        <translation>学習済み</translation>
    </message>
    <message>
        <source>not trained</source>
        <translation>未学習</translation>
    </message>
    <message>
        <source>{inspected} inspected, {reviewed} reviewed</source>
        <translation>検査済み {inspected}、確認済み {reviewed}</translation>
    </message>
    <message>
        <source>{n} not scored yet (inspect to resume)</source>
        <translation>未採点 {n}（検査で再開）</translation>
    </message>
    <message>
        <source>Find defects on production parts by learning from images of good ones.</source>
        <translation>良品の画像から学習し、製品の欠陥を見つけます。</translation>
    </message>
    <message>
        <source>No projects yet</source>
        <translation>プロジェクトはまだありません</translation>
    </message>
    <message>
        <source>Create one project per product type: click “New project”,
then drop in a folder of images of good parts.</source>
        <translation>製品の種類ごとにプロジェクトを作ります。「新規プロジェクト」をクリックし、
良品の画像フォルダをドロップしてください。</translation>
    </message>
    <message>
        <source>New project…</source>
        <translation>新規プロジェクト…</translation>
    </message>
    <message>
        <source>Open folder…</source>
        <translation>フォルダを開く…</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>開く</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>名前の変更…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>削除…</translation>
    </message>
    <message>
        <source>Remove from list</source>
        <translation>一覧から外す</translation>
    </message>
    <message>
        <source>Projects</source>
        <translation>プロジェクト</translation>
    </message>
    <message>
        <source>(folder missing)</source>
        <translation>（フォルダがありません）</translation>
    </message>
</context>
<context>
    <name>TrainingSetModel</name>
    <message>
        <source>held out</source>
        <translation>検証用</translation>
    </message>
    <message>
        <source>held out of fitting and scored after training</source>
        <translation>学習に使わず、学習後に採点</translation>
    </message>
    <message>
        <source>used for fitting</source>
        <translation>学習に使用</translation>
    </message>
    <message>
        <source>{name}
{w} x {h} px, {what}
added {added}</source>
        <translation>{name}
{w} x {h} px、{what}
追加日時 {added}</translation>
    </message>
</context>
<context>
    <name>TrainingSetView</name>
    <message>
        <source>No good images yet</source>
        <translation>良品画像はまだありません</translation>
    </message>
    <message>
        <source>Drop a folder of images of good parts here, or click “Add images”.
No defect images are needed: the model learns what good looks like.
About 50 to 200 images is typical; 15 % are held out to measure good scores.</source>
        <translation>良品の画像フォルダをここにドロップするか、「画像を追加」をクリックしてください。
不良品の画像は不要です。モデルは良品の見た目を学習します。
目安は 50〜200 枚です。15 % は良品スコアの測定用に学習から外します。</translation>
    </message>
    <message>
        <source>Add a folder…</source>
        <translation>フォルダを追加…</translation>
    </message>
    <message>
        <source>Add images</source>
        <translation>画像を追加</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>ファイルを追加…</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>選択を削除</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>Training… the current model stays in use until the new one is ready.</source>
        <translation>学習中… 新しいモデルができるまで現在のモデルを使います。</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>学習中…</translation>
    </message>
    <message>
        <source>Adding images…</source>
        <translation>画像を追加中…</translation>
    </message>
    <message>
        <source>The images appear here when they are copied in; the progress is shown above.</source>
        <translation>コピーされた画像がここに表示されます。進行状況は上に表示されます。</translation>
    </message>
    <message numerus="yes">
        <source>%n good image(s): {fit} to fit, {held} held out to measure good scores</source>
        <translation>
            <numerusform>良品画像 %n 枚: 学習用 {fit} 枚、良品スコア測定用 {held} 枚</numerusform>
        </translation>
    </message>
    <message>
        <source>Not trained yet. Add good images, then press Train.</source>
        <translation>まだ学習していません。良品画像を追加して「学習」を押してください。</translation>
    </message>
    <message>
        <source>⚠ The training set or the settings changed since the model was trained: press Train again.</source>
        <translation>⚠ 学習後に学習セットまたは設定が変わりました。もう一度「学習」を押してください。</translation>
    </message>
    <message>
        <source>✓ Model trained {when} UTC on {n} image(s), {held} held out.</source>
        <translation>✓ モデル学習済み {when} UTC（{n} 枚で学習、検証用 {held} 枚）</translation>
    </message>
</context>
<context>
    <name>Verdict</name>
    <message>
        <source>pass</source>
        <translation>良品</translation>
    </message>
    <message>
        <source>uncertain</source>
        <translation>判定保留</translation>
    </message>
    <message>
        <source>fail</source>
        <translation>不良品</translation>
    </message>
    <message>
        <source>no thresholds</source>
        <translation>しきい値なし</translation>
    </message>
</context>
</TS>
